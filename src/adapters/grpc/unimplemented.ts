import { status } from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import type { ServiceHandlers } from './service-binding.js';
import { GrpcError } from './status-table.js';

/**
 * Handlers for a service whose RPCs are not built yet: each answers UNIMPLEMENTED naming the
 * method, so a client learns exactly what this version of the server lacks. Real handlers
 * replace these one by one: `{ ...unimplementedHandlers(Service), createJob }`.
 */
export function unimplementedHandlers<S extends DescService>(service: S): ServiceHandlers<S> {
  const handlers: Record<string, () => Promise<never>> = {};
  for (const method of service.methods) {
    handlers[method.localName] = () =>
      Promise.reject(new GrpcError(status.UNIMPLEMENTED, `${service.typeName}/${method.name} is not implemented in this version of the server`));
  }
  return handlers as unknown as ServiceHandlers<S>;
}
