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

/**
 * The longest status message sent. Messages travel percent-encoded in the HTTP/2 trailer, which
 * peers limit to a few KiB of headers; past that the client gets no answer at all and the
 * connection stalls. Values echoed from a request are shortened where they are quoted (quoted()
 * in src/domain/text.ts); this bounds what is left, such as a path through a deeply nested Struct.
 */
export const MAX_STATUS_MESSAGE = 1_000;

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
