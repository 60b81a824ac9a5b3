import type pg from 'pg';

/** A pool or a client inside a transaction: what the SQL modules run their statements on. */
export type Queryable = Pick<pg.PoolClient, 'query'>;
