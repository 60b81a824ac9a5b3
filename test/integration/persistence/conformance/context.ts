import { expect } from 'chai';
import type { Store, Transaction } from '../../../../src/application/ports/store.js';
import { DomainError, type DomainErrorKind } from '../../../../src/domain/errors.js';

/** What a conformance run gets for each test: a store with nothing in it, and how to dispose of it. */
export interface StoreHarness {
  readonly store: Store;
  close(): Promise<void>;
}

export type MakeStore = () => Promise<StoreHarness>;

/** Filled in by beforeEach, so the test modules can be declared before any store exists. */
export class ConformanceContext {
  private current: Store | undefined;

  set store(store: Store) {
    this.current = store;
  }

  /** One transaction on the store under test. */
  tx<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (!this.current) throw new Error('no store: the conformance beforeEach did not run');
    return this.current.transaction(work);
  }
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected the promise to reject');
}

export async function expectDomainError(promise: Promise<unknown>, kind: DomainErrorKind, message?: RegExp): Promise<DomainError> {
  const error = await rejection(promise);
  expect(error, String(error)).to.be.instanceOf(DomainError);
  expect((error as DomainError).kind).to.equal(kind);
  if (message) expect((error as DomainError).message).to.match(message);
  return error as DomainError;
}

export function byId<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function ids(items: readonly { id: string }[]): string[] {
  return items.map((item) => item.id);
}
