import { expect } from 'chai';
import fc from 'fast-check';
import { dependencies, findCycle, satisfies } from '../../../src/domain/dependency/dependency.js';
import { DomainError } from '../../../src/domain/errors.js';

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('domain: job dependencies', () => {
  it('counts an upstream occurrence by its condition, and a cancelled one never', () => {
    const table = (['success', 'failure', 'completion'] as const).map((condition) => [condition, ...(['succeeded', 'failed', 'cancelled'] as const).map((outcome) => satisfies(condition, outcome))]);
    expect(table).to.deep.equal([
      ['success', true, false, false],
      ['failure', false, true, false],
      ['completion', true, true, false],
    ]);
  });

  it('checks the list: at most 32, valid and distinct ids (case-insensitive), SUCCESS by default', () => {
    expect(dependencies([{ jobId: ID(1).toUpperCase() }, { jobId: ID(2), condition: 'failure' }])).to.deep.equal([
      { jobId: ID(1), condition: 'success' },
      { jobId: ID(2), condition: 'failure' },
    ]);
    const refused = (input: Parameters<typeof dependencies>[0]) => {
      try {
        dependencies(input);
      } catch (error) {
        expect(error).to.be.instanceOf(DomainError);
        return (error as DomainError).message;
      }
      return expect.fail('accepted');
    };
    expect(refused(Array.from({ length: 33 }, (_, i) => ({ jobId: ID(i) })))).to.equal('job.depends_on may list at most 32 jobs, got 33');
    expect(refused([{ jobId: '' }])).to.equal('job.depends_on[0].job_id is required');
    expect(refused([{ jobId: ID(1) }, { jobId: ID(1).toUpperCase() }])).to.equal('job.depends_on[1].job_id repeats job.depends_on[0]: list each upstream job once');
  });

  it('finds a cycle exactly when the new job is reachable upwards from its upstream jobs, as a path of real edges', () => {
    const graphs = fc.record({
      size: fc.integer({ min: 2, max: 9 }),
      edges: fc.array(fc.tuple(fc.nat(8), fc.nat(8)), { maxLength: 20 }),
      upstreams: fc.uniqueArray(fc.nat(8), { minLength: 1, maxLength: 4 }),
      downstream: fc.nat(8),
    });
    fc.assert(
      fc.property(graphs, ({ edges, upstreams, downstream }) => {
        const upstreamsOf = new Map<string, string[]>();
        for (const [down, up] of edges) if (down !== up) upstreamsOf.set(ID(down), [...new Set([...(upstreamsOf.get(ID(down)) ?? []), ID(up)])]);
        // The stored graph is acyclic (the service never stores a cycle): keep edges from higher to lower only.
        for (const [down, ups] of upstreamsOf) upstreamsOf.set(down, ups.filter((up) => up < down));
        const reachable = new Set<string>();
        const todo = upstreams.map(ID);
        while (todo.length > 0) {
          const id = todo.pop() as string;
          if (reachable.has(id)) continue;
          reachable.add(id);
          todo.push(...(upstreamsOf.get(id) ?? []));
        }
        const cycle = findCycle(ID(downstream), upstreams.map(ID), upstreamsOf);
        expect(cycle !== undefined).to.equal(reachable.has(ID(downstream)));
        if (!cycle) return;
        expect(cycle[0]).to.equal(ID(downstream));
        expect(cycle.at(-1)).to.equal(ID(downstream));
        expect(upstreams.map(ID)).to.include(cycle[1]);
        for (let i = 1; i + 1 < cycle.length; i += 1) expect(upstreamsOf.get(cycle[i] as string) ?? []).to.include(cycle[i + 1]);
      }),
      { seed: 19, numRuns: 500 },
    );
  });
});
