import type { DependencyMark, DependencyStore, StoredDependency } from '../../application/ports/dependency-store.js';
import type { Dependency } from '../../domain/dependency/dependency.js';
import type { MemoryState } from './memory-state.js';

/** DependencyStore in memory; it keeps the jobs' depends_on and flags in step, as the SQL reads them. */
export class MemoryDependencyStore implements DependencyStore {
  constructor(private readonly state: MemoryState) {}

  async lockGraph(): Promise<void> {}

  async ancestry(jobIds: readonly string[]): Promise<Map<string, string[]>> {
    const graph = new Map<string, string[]>();
    const todo = [...jobIds];
    while (todo.length > 0) {
      const id = todo.pop() as string;
      if (graph.has(id)) continue;
      const ups = this.state.dependencies.filter((d) => d.downstreamId === id).map((d) => d.upstreamId);
      if (ups.length > 0) graph.set(id, ups);
      todo.push(...ups);
    }
    return graph;
  }

  async replace(downstreamId: string, dependsOn: readonly Dependency[]): Promise<void> {
    const old = new Map(this.state.dependencies.filter((d) => d.downstreamId === downstreamId).map((d) => [d.upstreamId, d]));
    const kept = dependsOn.map((d): StoredDependency => {
      const before = old.get(d.jobId);
      return { downstreamId, upstreamId: d.jobId, condition: d.condition, satisfiedBy: before?.condition === d.condition ? before.satisfiedBy : undefined };
    });
    this.state.dependencies = [...this.state.dependencies.filter((d) => d.downstreamId !== downstreamId), ...kept];
    this.refresh();
  }

  async downstreamOf(upstreamIds: readonly string[]): Promise<StoredDependency[]> {
    return this.state.dependencies.filter((d) => upstreamIds.includes(d.upstreamId));
  }

  async upstreamOf(downstreamIds: readonly string[]): Promise<StoredDependency[]> {
    return this.state.dependencies.filter((d) => downstreamIds.includes(d.downstreamId));
  }

  async mark(marks: readonly DependencyMark[]): Promise<void> {
    this.state.dependencies = this.state.dependencies.map((d) => {
      const mark = marks.find((m) => m.downstreamId === d.downstreamId && m.upstreamId === d.upstreamId);
      return mark ? { ...d, satisfiedBy: mark.satisfiedBy } : d;
    });
  }

  async removeUpstream(upstreamId: string): Promise<string[]> {
    const downstream = this.state.dependencies.filter((d) => d.upstreamId === upstreamId).map((d) => d.downstreamId);
    this.state.dependencies = this.state.dependencies.filter((d) => d.upstreamId !== upstreamId);
    this.refresh();
    return downstream;
  }

  /** The jobs' depends_on and has_downstream, from the edges. */
  private refresh(): void {
    refreshDependencies(this.state);
  }
}

export function refreshDependencies(state: MemoryState): void {
  state.dependencies = state.dependencies.filter((d) => state.jobs.has(d.downstreamId) && state.jobs.has(d.upstreamId));
  for (const [id, job] of state.jobs) {
    const dependsOn = state.dependencies.filter((d) => d.downstreamId === id).map((d) => ({ jobId: d.upstreamId, condition: d.condition }));
    const hasDownstream = job.hasDownstream || state.dependencies.some((d) => d.upstreamId === id);
    state.jobs.set(id, { ...job, dependsOn, hasDownstream });
  }
}
