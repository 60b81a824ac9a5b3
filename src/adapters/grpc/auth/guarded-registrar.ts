import {
  Metadata,
  status,
  type Server,
  type ServiceDefinition,
  type StatusObject,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { GrpcError } from '../status-table.js';
import type { Caller, Guard } from './call-guard.js';

type AnyCall = {
  metadata: Metadata;
  getPeer(): string;
  getAuthContext(): { sslPeerCertificate?: Caller['peerCertificate'] };
  emit(event: 'error', error: unknown): boolean;
};

/**
 * A stand-in for Server.addService that makes every handler of the services added through it
 * authenticate first (any valid token, no role): for services we do not bind ourselves, such as
 * @grpc/reflection's when AUTH_REFLECTION=authenticated.
 */
export function authenticatedRegistrar(server: Server, guard: Guard): Pick<Server, 'addService'> {
  return {
    addService(definition: ServiceDefinition, implementation: UntypedServiceImplementation) {
      const guarded: UntypedServiceImplementation = {};
      for (const [name, handler] of Object.entries(implementation)) guarded[name] = authenticated(handler, guard);
      server.addService(definition, guarded);
    },
  };
}

function authenticated(handler: UntypedHandleCall, guard: Guard): UntypedHandleCall {
  const run = handler as (call: AnyCall, callback?: (error: StatusObject) => void) => void;
  return ((call: AnyCall, callback?: (error: StatusObject) => void) => {
    guard.authenticate(callerOf(call)).then(
      () => run(call, callback),
      (error: unknown) => {
        const refusal: StatusObject =
          error instanceof GrpcError
            ? { code: error.code, details: error.message, metadata: new Metadata() }
            : { code: status.UNAUTHENTICATED, details: 'authentication failed', metadata: new Metadata() };
        if (callback) callback(refusal);
        else call.emit('error', Object.assign(new Error(refusal.details), refusal));
      },
    );
  }) as unknown as UntypedHandleCall;
}

/** What the guard needs to know about a grpc-js server call. */
export function callerOf(call: AnyCall): Caller {
  return { metadata: call.metadata, peer: call.getPeer(), peerCertificate: call.getAuthContext()?.sslPeerCertificate };
}
