/**
 * The kinds of failure the core reports. Transports map each kind to their own codes in one
 * place (for gRPC: src/adapters/grpc/status-table.ts); the core never knows about status codes.
 */
export type DomainErrorKind =
  /** The named thing does not exist. */
  | 'NotFound'
  /** The request is malformed or out of range; the message names the field. */
  | 'InvalidArgument'
  /** The current state does not allow the operation; the message names both states. */
  | 'IllegalTransition'
  /** Something with the same identity exists already. */
  | 'AlreadyExists'
  /** A concurrent change won (stale version or lease); retrying after a fresh read may succeed. */
  | 'Conflict'
  /** A position (a cursor) lies outside what is still kept. */
  | 'OutOfRange';

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
  ) {
    super(message);
  }

  static notFound(message: string): DomainError {
    return new DomainError('NotFound', message);
  }

  static invalidArgument(message: string): DomainError {
    return new DomainError('InvalidArgument', message);
  }

  static illegalTransition(message: string): DomainError {
    return new DomainError('IllegalTransition', message);
  }

  static alreadyExists(message: string): DomainError {
    return new DomainError('AlreadyExists', message);
  }

  static conflict(message: string): DomainError {
    return new DomainError('Conflict', message);
  }

  static outOfRange(message: string): DomainError {
    return new DomainError('OutOfRange', message);
  }
}
