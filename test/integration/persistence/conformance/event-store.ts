import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { ExecutionEventKind, ExecutionEventRecord, StoredExecutionEvent } from '../../../../src/application/ports/event-store.js';
import { at, MINUTE } from '../support/builders.js';
import { expectDomainError, type ConformanceContext } from './context.js';

/** The execution event log: cursor semantics, filters, limits, pruning. */
export function eventStoreConformance(context: ConformanceContext): void {
  describe('EventStore: append, readAfter, prune', () => {
    const jobA = randomUUID();
    const jobB = randomUUID();
    let minute = 0;
    const event = (jobId: string, kind: ExecutionEventKind = 'queued', jobType = 'crawl'): ExecutionEventRecord => ({
      kind,
      occurredAt: at((minute += 1) * MINUTE),
      executionId: randomUUID(),
      jobId,
      jobType,
    });
    const append = (events: ExecutionEventRecord[]) => context.tx((tx) => tx.events.append(events));
    const read = (cursor: string | undefined, filter = {}, limit = 100) => context.tx((tx) => tx.events.readAfter(cursor, filter, limit));
    const records = (events: StoredExecutionEvent[]): ExecutionEventRecord[] => events.map(({ cursor: _cursor, ...record }) => record);

    it('starts at the current end: a reader sees only what is appended after it asked', async () => {
      const before = [event(jobA), event(jobA, 'started')];
      await append(before);
      const start = await read(undefined);
      expect(start.events).to.deep.equal([]);

      const later = [event(jobA, 'succeeded'), event(jobB, 'queued', 'index'), event(jobB, 'started', 'index')];
      await append(later.slice(0, 1));
      await append(later.slice(1));
      const page = await read(start.cursor);
      expect(records(page.events)).to.deep.equal(later);
      expect(page.cursor).to.equal(page.events.at(-1)?.cursor);
      expect(new Set(page.events.map((e) => e.cursor)).size).to.equal(3);

      const idle = await read(page.cursor);
      expect(idle).to.deep.equal({ events: [], cursor: page.cursor, more: false });
      // A reader arriving now also starts after everything so far.
      expect((await read(undefined)).cursor).to.equal(page.cursor);
    });

    it('works on an empty log', async () => {
      const start = await read(undefined);
      expect(start.events).to.deep.equal([]);
      const appended = [event(jobA)];
      await append(appended);
      expect(records((await read(start.cursor)).events)).to.deep.equal(appended);
      await append([]);
    });

    it('pages by the limit, in log order, without skipping or repeating', async () => {
      const { cursor } = await read(undefined);
      const appended = Array.from({ length: 7 }, (_, i) => event(i % 2 ? jobA : jobB));
      await append(appended.slice(0, 4));
      await append(appended.slice(4));
      const seen: StoredExecutionEvent[] = [];
      let position = cursor;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await read(position, {}, 3);
        expect(page.events.length).to.be.at.most(3);
        seen.push(...page.events);
        position = page.cursor;
        if (page.events.length === 0) break;
      }
      expect(records(seen)).to.deep.equal(appended);
    });

    it('filters by job and by job types, and moves the cursor past events it filtered out', async () => {
      const { cursor } = await read(undefined);
      const a1 = event(jobA, 'queued', 'crawl');
      const b1 = event(jobB, 'queued', 'index');
      const b2 = event(jobB, 'started', 'mail');
      await append([a1, b1, b2]);
      expect(records((await read(cursor, { jobId: jobA })).events)).to.deep.equal([a1]);
      expect(records((await read(cursor, { jobTypes: ['index', 'mail'] })).events)).to.deep.equal([b1, b2]);
      expect(records((await read(cursor, { jobId: jobB, jobTypes: ['mail'] })).events)).to.deep.equal([b2]);
      expect(records((await read(cursor, { jobTypes: [] })).events)).to.deep.equal([a1, b1, b2]);

      const nothingWanted = await read(cursor, { jobId: randomUUID() });
      expect(nothingWanted.events).to.deep.equal([]);
      expect(nothingWanted.cursor).not.to.equal(cursor);
      expect((await read(nothingWanted.cursor)).events).to.deep.equal([]);
      // With a limit, the cursor stops after the last event read, wanted or not.
      const firstOnly = await read(cursor, { jobId: jobB }, 1);
      expect(firstOnly.events).to.deep.equal([]);
      expect(records((await read(firstOnly.cursor)).events)).to.deep.equal([b1, b2]);
    });

    for (const bad of ['', 'garbage', '1:2:3', '-1:5', '12', 'x:1', '1:y']) {
      it(`refuses the cursor ${JSON.stringify(bad)} as InvalidArgument`, async () => {
        await expectDomainError(read(bad), 'InvalidArgument');
      });
    }

    it('refuses a well-formed cursor beyond the end of the log as InvalidArgument', async () => {
      await append([event(jobA)]);
      const { cursor } = await read(undefined);
      const [position, id] = cursor.split(':') as [string, string];
      await expectDomainError(read('99999999:99999'), 'InvalidArgument', /not a cursor this service issued/);
      await expectDomainError(read(`${position}:${Number(id) + 1000}`), 'InvalidArgument', /not a cursor this service issued/);
      expect((await read(cursor)).events).to.deep.equal([]);
    });

    it('prunes events older than a time in batches and reports how many', async () => {
      minute = 0;
      const { cursor } = await read(undefined);
      const appended = Array.from({ length: 5 }, () => event(jobA));
      for (const one of appended) await append([one]);
      const all = (await read(cursor)).events;
      expect(await context.tx((tx) => tx.events.prune(at(4 * MINUTE), 2))).to.equal(2);
      expect(await context.tx((tx) => tx.events.prune(at(4 * MINUTE), 2))).to.equal(1);
      expect(await context.tx((tx) => tx.events.prune(at(4 * MINUTE), 2))).to.equal(0);
      expect(records((await read(all[2]!.cursor)).events)).to.deep.equal(appended.slice(3));
    });

    it('prunes the events of one append together, once the latest of them is older', async () => {
      minute = 0;
      const { cursor } = await read(undefined);
      const together = [event(jobA), event(jobA), event(jobA)];
      await append(together);
      expect(await context.tx((tx) => tx.events.prune(at(3 * MINUTE), 10)), 'the append is younger than its latest event').to.equal(0);
      expect(records((await read(cursor)).events)).to.deep.equal(together);
      expect(await context.tx((tx) => tx.events.prune(at(4 * MINUTE), 10))).to.equal(3);
      await expectDomainError(read(cursor), 'OutOfRange');
    });

    it('refuses a cursor older than what was pruned (OutOfRange), and resumes from the last pruned event', async () => {
      minute = 0;
      const { cursor: start } = await read(undefined);
      for (let i = 0; i < 4; i += 1) await append([event(jobA)]);
      const all = (await read(start)).events;
      expect(await context.tx((tx) => tx.events.prune(at(3 * MINUTE), 100))).to.equal(2);
      await expectDomainError(read(start), 'OutOfRange', /older than the retained event log/);
      await expectDomainError(read(all[0]!.cursor), 'OutOfRange', /older than the retained event log/);
      expect((await read(all[1]!.cursor)).events.map((e) => e.cursor)).to.deep.equal(all.slice(2).map((e) => e.cursor));
    });
  });
}
