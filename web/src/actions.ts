import { call, RpcError, type Json } from './api.js';
import { h } from './dom.js';
import { may } from './session.js';

/** Which control applies in which job state (docs/state-machines.md). */
const APPLIES: Record<string, (state: string) => boolean> = {
  PauseJob: (state) => ['JOB_STATE_PENDING', 'JOB_STATE_SCHEDULED', 'JOB_STATE_RUNNING'].includes(state),
  ResumeJob: (state) => state === 'JOB_STATE_PAUSED',
  RunJob: (state) => !['JOB_STATE_PAUSED', 'JOB_STATE_CANCELLED'].includes(state),
  CancelJob: (state) => ['JOB_STATE_PENDING', 'JOB_STATE_SCHEDULED', 'JOB_STATE_RUNNING', 'JOB_STATE_PAUSED'].includes(state),
};
const LABELS: Record<string, string> = { PauseJob: 'Pause', ResumeJob: 'Resume', RunJob: 'Run now', CancelJob: 'Cancel' };

/**
 * The operator's buttons for one job. A button the signed-in role may not use is disabled and
 * says why in its title; one that does not apply to the job's state is disabled too. The server
 * refuses either way.
 */
export function jobControls(job: Json, done: (message: string, failed: boolean) => void): HTMLElement {
  const allowed = may('operator');
  const group = h('div', { class: 'controls', role: 'group', 'aria-label': `Controls for ${job.name}` });
  for (const method of Object.keys(APPLIES)) {
    const applies = (APPLIES[method] as (state: string) => boolean)(job.state);
    const button = h(
      'button',
      {
        type: 'button',
        class: method === 'CancelJob' ? 'danger' : undefined,
        'data-action': method,
        'aria-label': `${LABELS[method]} ${job.name}`,
        disabled: !allowed || !applies,
        title: !allowed ? 'your role may not do this (operator or admin needed)' : !applies ? `not possible while the job is ${String(job.state).replace('JOB_STATE_', '').toLowerCase()}` : undefined,
        onclick: async () => {
          if (method === 'CancelJob' && !window.confirm(`Cancel job "${job.name}"? A cancelled job never runs again.`)) return;
          button.disabled = true;
          try {
            await call(method, { id: job.id });
            done(`${LABELS[method]}: ${job.name} done`, false);
          } catch (error) {
            done(`${LABELS[method]} ${job.name}: ${(error as RpcError).message}`, true);
            button.disabled = false;
          }
        },
      },
      LABELS[method] as string,
    );
    group.appendChild(button);
  }
  return group;
}
