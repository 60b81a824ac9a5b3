import type { DependencyMark, DependencyStore, StoredDependency } from '../../application/ports/dependency-store.js';
import type { Dependency, DependencyCondition } from '../../domain/dependency/dependency.js';
import type { Queryable } from './queryable.js';

/** Any constant shared by every replica: the advisory lock that serialises graph changes. */
const GRAPH_LOCK = 0x6a6f6264; // "jobd"

interface EdgeRow {
  downstream_id: string;
  upstream_id: string;
  condition: DependencyCondition;
  satisfied_by: string | null;
}

const EDGE = 'downstream_id, upstream_id, condition, satisfied_by';

/** All SQL about job dependencies. Only jobs that have some run any of it. */
export class PgDependencyStore implements DependencyStore {
  constructor(private readonly db: Queryable) {}

  async lockGraph(): Promise<void> {
    await this.db.query('SELECT pg_advisory_xact_lock($1)', [GRAPH_LOCK]);
  }

  async ancestry(jobIds: readonly string[]): Promise<Map<string, string[]>> {
    if (jobIds.length === 0) return new Map();
    // UNION (not UNION ALL) stops at edges already seen, so this ends even on a graph with a cycle.
    const { rows } = await this.db.query<{ downstream_id: string; upstream_id: string }>(
      `WITH RECURSIVE up(downstream_id, upstream_id) AS (
         SELECT downstream_id, upstream_id FROM job_dependencies WHERE downstream_id = ANY($1::uuid[])
         UNION
         SELECT d.downstream_id, d.upstream_id FROM job_dependencies d JOIN up ON d.downstream_id = up.upstream_id)
       SELECT downstream_id, upstream_id FROM up ORDER BY downstream_id, upstream_id`,
      [[...jobIds]],
    );
    const graph = new Map<string, string[]>();
    for (const row of rows) graph.set(row.downstream_id, [...(graph.get(row.downstream_id) ?? []), row.upstream_id]);
    return graph;
  }

  async replace(downstreamId: string, dependsOn: readonly Dependency[]): Promise<void> {
    const upstreams = dependsOn.map((d) => d.jobId);
    await this.db.query('DELETE FROM job_dependencies WHERE downstream_id = $1 AND NOT (upstream_id = ANY($2::uuid[]))', [downstreamId, upstreams]);
    if (upstreams.length > 0) {
      // A changed condition starts over: an outcome recorded under the old one may not meet the new.
      await this.db.query(
        `INSERT INTO job_dependencies (downstream_id, upstream_id, condition, position)
         SELECT $1, u, c, p FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS x(u, c, p)
         ON CONFLICT (downstream_id, upstream_id) DO UPDATE SET
           position = excluded.position, condition = excluded.condition,
           satisfied_by = CASE WHEN job_dependencies.condition = excluded.condition THEN job_dependencies.satisfied_by END,
           satisfied_at = CASE WHEN job_dependencies.condition = excluded.condition THEN job_dependencies.satisfied_at END`,
        [downstreamId, upstreams, dependsOn.map((d) => d.condition)],
      );
      // A flag left set on a job that lost its last downstream costs one empty lookup per settle.
      await this.db.query('UPDATE jobs SET has_downstream = true WHERE id = ANY($1::uuid[]) AND NOT has_downstream', [upstreams]);
    }
    await this.db.query('UPDATE jobs SET has_upstream = $2 WHERE id = $1 AND has_upstream <> $2', [downstreamId, upstreams.length > 0]);
  }

  async downstreamOf(upstreamIds: readonly string[]): Promise<StoredDependency[]> {
    if (upstreamIds.length === 0) return [];
    const { rows } = await this.db.query<EdgeRow>(`SELECT ${EDGE} FROM job_dependencies WHERE upstream_id = ANY($1::uuid[])`, [[...upstreamIds]]);
    return rows.map(edgeFromRow);
  }

  async upstreamOf(downstreamIds: readonly string[]): Promise<StoredDependency[]> {
    if (downstreamIds.length === 0) return [];
    const { rows } = await this.db.query<EdgeRow>(`SELECT ${EDGE} FROM job_dependencies WHERE downstream_id = ANY($1::uuid[]) ORDER BY downstream_id, position`, [[...downstreamIds]]);
    return rows.map(edgeFromRow);
  }

  async mark(marks: readonly DependencyMark[], now: Date): Promise<void> {
    if (marks.length === 0) return;
    await this.db.query(
      `UPDATE job_dependencies d SET satisfied_by = m.by, satisfied_at = CASE WHEN m.by IS NULL THEN NULL ELSE $4::timestamptz END
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS m(downstream_id, upstream_id, by)
       WHERE d.downstream_id = m.downstream_id AND d.upstream_id = m.upstream_id`,
      [marks.map((m) => m.downstreamId), marks.map((m) => m.upstreamId), marks.map((m) => m.satisfiedBy ?? null), now],
    );
  }

  async removeUpstream(upstreamId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ downstream_id: string }>('DELETE FROM job_dependencies WHERE upstream_id = $1 RETURNING downstream_id', [upstreamId]);
    return rows.map((row) => row.downstream_id);
  }
}

function edgeFromRow(row: EdgeRow): StoredDependency {
  return { downstreamId: row.downstream_id, upstreamId: row.upstream_id, condition: row.condition, satisfiedBy: row.satisfied_by ?? undefined };
}
