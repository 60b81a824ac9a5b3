/** Weekdays 11:00-12:00 in Berlin: 10:00-11:00 UTC in early March (CET). The engine tests' clock starts Monday 2026-03-02 08:00 UTC. */
export const lateMorning = (extra: Record<string, unknown> = {}) => ({ timeZone: 'Europe/Berlin', windows: [{ days: [1, 2, 3, 4, 5], start: '11:00', end: '12:00' }], ...extra });
