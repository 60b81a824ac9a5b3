/** The lifecycle states of a job (the names the original scheduler's users know). */
export const JOB_STATES = ['pending', 'scheduled', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Things that happen to a job. Each is allowed from some states and leads to listed states. */
export const JOB_OPERATIONS = ['fire', 'skip', 'runNow', 'pause', 'resume', 'cancel', 'retry', 'reschedule', 'attemptFailed', 'settle'] as const;
export type JobOperation = (typeof JOB_OPERATIONS)[number];
