import { expect } from 'chai';
import { planFiring, type FiringInput } from '../../../src/domain/firing/plan-firing.js';

const T0 = new Date('2026-03-01T00:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const hourly = { kind: 'interval', every: 1, unit: 'hours', anchor: T0 } as const;

/** A 3-hour downtime: due at 01:00, the scheduler comes back at 04:00:30. */
function afterDowntime(extra: Partial<FiringInput>): FiringInput {
  return {
    schedule: hourly,
    origin: new Date(T0.getTime() - 1),
    dueAt: at(60),
    now: at(240.5),
    catchUp: 'skip',
    catchUpWindowMs: 3_600_000,
    overlap: 'skip',
    activeOccurrences: 0,
    misfireGraceMs: 60_000,
    ...extra,
  };
}

describe('firing plan (overlap and catch-up)', () => {
  it('fires the one on-time occurrence in normal operation', () => {
    const plan = planFiring(afterDowntime({ dueAt: at(60), now: at(60.01) }));
    expect(plan.fire).to.deep.equal([at(60)]);
    expect(plan.skipped).to.equal(0);
    expect(plan.nextRunAt).to.deep.equal(at(120));
  });

  it('catch-up SKIP: after 3 h down, fires the on-time 04:00 and drops 01:00–03:00', () => {
    const plan = planFiring(afterDowntime({ catchUp: 'skip' }));
    expect(plan.fire).to.deep.equal([at(240)]);
    expect(plan.skipped).to.equal(3);
    expect(plan.nextRunAt).to.deep.equal(at(300));
  });

  it('catch-up SKIP: drops everything when even the latest is past the grace', () => {
    const plan = planFiring(afterDowntime({ catchUp: 'skip', now: at(250) }));
    expect(plan.fire).to.deep.equal([]);
    expect(plan.skipped).to.equal(4);
  });

  it('catch-up RUN_ONCE: one late run for the latest due occurrence', () => {
    const plan = planFiring(afterDowntime({ catchUp: 'run_once', now: at(250) }));
    expect(plan.fire).to.deep.equal([at(240)]);
    expect(plan.skipped).to.equal(3);
  });

  it('catch-up RUN_ALL: every occurrence within the window, older ones dropped', () => {
    const plan = planFiring(afterDowntime({ catchUp: 'run_all', catchUpWindowMs: 2.5 * 3_600_000 }));
    expect(plan.fire).to.deep.equal([at(120), at(180), at(240)]);
    expect(plan.skipped).to.equal(1);
    expect(planFiring(afterDowntime({ catchUp: 'run_all', catchUpWindowMs: 4 * 3_600_000 })).fire).to.have.length(4);
  });

  it('overlap SKIP: nothing starts while an occurrence is active', () => {
    const plan = planFiring(afterDowntime({ dueAt: at(60), now: at(60), activeOccurrences: 1 }));
    expect(plan.fire).to.deep.equal([]);
    expect(plan.skipped).to.equal(1);
    expect(plan.nextRunAt).to.deep.equal(at(120));
  });

  it('overlap ALLOW: starts alongside the active one', () => {
    expect(planFiring(afterDowntime({ dueAt: at(60), now: at(60), activeOccurrences: 1, overlap: 'allow' })).fire).to.deep.equal([at(60)]);
  });

  it('bounds a huge backlog (every second for a day) without enumerating it all', () => {
    const plan = planFiring(afterDowntime({ schedule: { kind: 'cron', expression: '* * * * * *', timeZone: 'UTC' }, dueAt: at(0), now: at(1440), catchUp: 'run_once' }));
    expect(plan.fire).to.deep.equal([at(1440)]);
  });
});
