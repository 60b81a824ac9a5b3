import { status } from '@grpc/grpc-js';
import type { DomainErrorKind } from '../../domain/errors.js';

/** The one place where the core's error kinds become gRPC status codes. */
export const STATUS_BY_KIND: Readonly<Record<DomainErrorKind, status>> = {
  NotFound: status.NOT_FOUND,
  InvalidArgument: status.INVALID_ARGUMENT,
  IllegalTransition: status.FAILED_PRECONDITION,
  AlreadyExists: status.ALREADY_EXISTS,
  Conflict: status.ABORTED,
  OutOfRange: status.OUT_OF_RANGE,
};

/** An error raised by the transport layer itself with a status of its choosing (auth, limits, unimplemented). */
export class GrpcError extends Error {
  override readonly name = 'GrpcError';

  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}
