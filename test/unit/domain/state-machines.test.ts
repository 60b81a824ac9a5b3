import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { DomainError } from '../../../src/domain/errors.js';
import { EXECUTION_STATUSES, canMoveExecution, moveExecution } from '../../../src/domain/execution/execution-status.js';
import { JOB_OPERATIONS, JOB_STATES } from '../../../src/domain/job/job-state.js';
import { canTransition, JOB_TRANSITIONS, transition } from '../../../src/domain/job/job-transitions.js';

/** The tables of docs/state-machines.md, which the code must match cell by cell. */
const doc = readFileSync('docs/state-machines.md', 'utf8');

function markdownTable(headerStart: string): string[][] {
  const lines = doc.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${headerStart} |`));
  if (start < 0) throw new Error(`docs/state-machines.md has no table starting "| ${headerStart} |"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((cell) => cell.trim()));
  }
  return [rows[0] as string[], ...rows.slice(2)];
}

function pairMatrix(firstColumnHeader: string, states: readonly string[]): Map<string, boolean> {
  const [header, ...rows] = markdownTable(firstColumnHeader);
  expect(header?.slice(1)).to.deep.equal([...states]);
  expect(rows.map((row) => row[0])).to.deep.equal([...states]);
  const cells = new Map<string, boolean>();
  for (const row of rows) states.forEach((to, i) => cells.set(`${row[0]}→${to}`, row[i + 1] === '✓'));
  return cells;
}

describe('job state machine', () => {
  const documented = pairMatrix('from \\ to', JOB_STATES);

  for (const from of JOB_STATES) {
    for (const to of JOB_STATES) {
      const allowed = documented.get(`${from}→${to}`);
      it(`${from} → ${to} is ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(from, to)).to.equal(allowed);
      });
    }
  }

  it('matches the documented operations table, operation by operation', () => {
    const [header, ...rows] = markdownTable('operation');
    expect(header?.slice(1)).to.deep.equal([...JOB_STATES]);
    expect(rows.map((row) => row[0]).sort()).to.deep.equal([...JOB_OPERATIONS].sort());
    for (const row of rows) {
      const operation = row[0] as (typeof JOB_OPERATIONS)[number];
      JOB_STATES.forEach((from, i) => {
        const documentedTargets = (row[i + 1] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        expect([...(JOB_TRANSITIONS[from][operation] ?? [])].sort(), `${operation} from ${from}`).to.deep.equal(documentedTargets.sort());
      });
    }
  });

  it('refuses an operation not allowed in a state, naming the state and where it is allowed', () => {
    expect(() => transition('pause', 'completed', 'paused'))
      .to.throw(DomainError, 'cannot pause a job that is completed (pause is allowed only when pending, scheduled, running)')
      .with.property('kind', 'IllegalTransition');
    expect(() => transition('resume', 'scheduled', 'scheduled')).to.throw(DomainError, 'cannot resume a job that is scheduled (resume is allowed only when paused)');
    expect(() => transition('cancel', 'cancelled', 'cancelled')).to.throw(DomainError, 'cannot cancel a job that is cancelled');
  });

  it('points a retry of a paused job (a recurring job paused after too many failures) to resume', () => {
    expect(() => transition('retry', 'paused', 'running')).to.throw(
      DomainError,
      'cannot retry a job that is paused (retry is allowed only when failed; resume a paused job to continue it)',
    );
  });

  it('refuses an allowed operation that would lead to a state outside the table, naming both states', () => {
    expect(() => transition('settle', 'running', 'pending')).to.throw(DomainError, 'cannot settle an occurrence of a job that is running: running → pending is not a legal transition');
  });

  it('lets nothing leave cancelled', () => {
    expect(Object.keys(JOB_TRANSITIONS.cancelled)).to.deep.equal([]);
  });
});

describe('execution status machine', () => {
  const documented = pairMatrix('status \\ to', EXECUTION_STATUSES);

  for (const from of EXECUTION_STATUSES) {
    for (const to of EXECUTION_STATUSES) {
      const allowed = documented.get(`${from}→${to}`);
      it(`${from} → ${to} is ${allowed ? 'allowed' : 'refused'}`, () => {
        expect(canMoveExecution(from, to)).to.equal(allowed);
        if (allowed) expect(moveExecution(from, to)).to.equal(to);
        else expect(() => moveExecution(from, to)).to.throw(DomainError).with.property('kind', 'IllegalTransition');
      });
    }
  }

  it('explains that a terminal status never changes', () => {
    expect(() => moveExecution('cancelled', 'failed')).to.throw('the execution already ended as cancelled; it cannot become failed');
  });
});
