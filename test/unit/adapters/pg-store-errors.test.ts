import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import type pg from 'pg';
import { pino } from 'pino';
import { bindService } from '../../../src/adapters/grpc/service-binding.js';
import { PgStore } from '../../../src/adapters/pg/pg-store.js';
import { StoreUnavailableError } from '../../../src/application/ports/store.js';
import { Health } from '../../../src/gen/health/v1/health_pb.js';

/** A pool whose one client fails the work's statements, or COMMIT, with `error`. */
function failingPool(failOn: 'work' | 'COMMIT', error: { code?: string; message: string }) {
  const statements: string[] = [];
  const client = {
    query: async (sql: string) => {
      statements.push(sql);
      const control = ['BEGIN', 'COMMIT', 'ROLLBACK'].includes(sql);
      if ((failOn === 'COMMIT' && sql === 'COMMIT') || (failOn === 'work' && !control)) throw Object.assign(new Error(error.message), error);
      return { rows: [], rowCount: 0 };
    },
    release: () => undefined,
  };
  return { pool: { connect: async () => client } as unknown as pg.Pool, statements };
}

async function failureOf(failOn: 'work' | 'COMMIT', error: { code?: string; message: string }): Promise<unknown> {
  const { pool } = failingPool(failOn, error);
  return new PgStore(pool)
    .transaction((tx) => tx.executions.get('00000000-0000-4000-8000-000000000000'))
    .then(
      () => undefined,
      (e: unknown) => e,
    );
}

describe('PgStore: which database failures are "unavailable, retry" and which are bugs', () => {
  for (const [code, what] of [
    ['57014', 'a statement cancelled by statement_timeout'],
    ['55P03', 'a lock not granted within lock_timeout'],
    ['40P01', 'a deadlock victim'],
    ['40001', 'a serialization failure'],
    ['53300', 'too many connections'],
    ['53100', 'a full disk'],
    ['25006', 'a primary turned read-only during a failover'],
    ['58030', 'an I/O error'],
    ['57P01', 'the connection terminated by an administrator'],
    ['08006', 'a connection failure'],
  ] as const) {
    it(`${code} (${what}) is StoreUnavailableError: rolled back, retry later`, async () => {
      const error = await failureOf('work', { code, message: what });
      expect(error).to.be.instanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).outcomeUnknown).to.equal(false);
    });
  }

  it('leaves other errors alone (a constraint violation is a bug to report as INTERNAL)', async () => {
    const error = await failureOf('work', { code: '23505', message: 'duplicate key value violates unique constraint' });
    expect(error).not.to.be.instanceOf(StoreUnavailableError);
  });

  it('a connection lost during COMMIT leaves the outcome unknown', async () => {
    for (const failure of [{ code: 'ECONNRESET', message: 'read ECONNRESET' }, { message: 'Connection terminated unexpectedly' }, { code: '57P01', message: 'terminating connection due to administrator command' }]) {
      const error = await failureOf('COMMIT', failure);
      expect(error, failure.message).to.be.instanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).outcomeUnknown, failure.message).to.equal(true);
    }
  });

  it('a COMMIT refused as a serialization failure certainly rolled back', async () => {
    const error = await failureOf('COMMIT', { code: '40001', message: 'could not serialize access' });
    expect((error as StoreUnavailableError).outcomeUnknown).to.equal(false);
  });

  it('the client is told UNAVAILABLE, and only "nothing was changed" when that is certain', async () => {
    const answer = async (error: Error) => {
      const handlers = { check: async () => Promise.reject(error), list: async () => ({}), watch: async () => {} };
      const unary = bindService(Health, handlers as never, { logger: pino({ level: 'silent' }), shutdown: new AbortController().signal }).check as (
        call: unknown,
        callback: (error: StatusObject | null) => void,
      ) => void;
      const call = Object.assign(new EventEmitter(), { metadata: new Metadata(), getPeer: () => 'ipv4:127.0.0.1:1', request: new Uint8Array() });
      return new Promise<StatusObject | null>((resolve) => unary(call, resolve));
    };
    const certain = await answer(new StoreUnavailableError('down'));
    expect(certain?.code).to.equal(status.UNAVAILABLE);
    expect(certain?.details).to.match(/^the database is unavailable; nothing was changed, retry later/);
    const unknown = await answer(new StoreUnavailableError('lost at commit', { outcomeUnknown: true }));
    expect(unknown?.code).to.equal(status.UNAVAILABLE);
    expect(unknown?.details).to.match(/may have been made/);
  });
});
