import { status } from '@grpc/grpc-js';
import type { Logger } from '../../../application/ports/logger.js';
import type { CallContext } from '../call-context.js';
import { ACCESS_POLICY, type AccessPolicy } from './access-policy.js';
import { shortened } from '../../../domain/text.js';

/** Longest list an audit line repeats; a longer one is cut and its length given as <field>_total. */
export const MAX_AUDITED_LIST = 100;

/** One finished call, as service-binding.ts reports it. */
export interface CallOutcome {
  context: CallContext;
  /** The decoded request; undefined when the call was refused before its request was decoded. */
  request: unknown;
  /** The response message, when the call succeeded and is unary. */
  response: unknown;
  code: status;
}

export type AuditHook = (outcome: CallOutcome) => void;

/**
 * The audit log: one line on a child logger named "audit" for every call of a state-changing RPC
 * (one whose rule has an audit function), whatever its outcome, including refused calls. It says
 * who (subject, or "anonymous"), what (RPC and the job or execution ids) and the status code.
 * Read-only RPCs are not audited; a method missing from the role table is, since it was refused.
 * A call refused by authentication or the role table was never decoded, so its line names no ids.
 * Every text copied into a line is cut to 100 characters and every list to 100 entries, so a
 * line's size does not follow the size of the request (or of the token's subject).
 */
export function auditLog(logger: Logger, policy: AccessPolicy = ACCESS_POLICY): AuditHook {
  const audit = logger.child({ logger: 'audit' });
  return ({ context, request, response, code }) => {
    const rule = policy.ruleFor(context.method);
    if (rule !== undefined && rule.audit === undefined) return;
    let fields: Record<string, unknown> | null = {};
    try {
      if (rule?.audit && request !== undefined) fields = rule.audit(request, code === status.OK ? response : undefined);
    } catch {
      fields = {};
    }
    if (fields === null) {
      if (code === status.OK) return;
      fields = {};
    }
    audit.info(
      {
        subject: shortened(context.principal.subject),
        via: context.principal.via,
        rpc: shortened(context.method),
        ...bounded(fields),
        code: status[code],
        correlation_id: context.correlationId,
        peer: shortened(context.peer),
      },
      'audit',
    );
  };
}

/** The fields without empty values, texts and lists cut to size. */
function bounded(fields: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === '') continue;
    if (typeof value === 'string') result[key] = shortened(value);
    else if (typeof value === 'number' || typeof value === 'boolean') result[key] = value;
    else if (Array.isArray(value)) {
      result[key] = value.slice(0, MAX_AUDITED_LIST).map((item) => shortened(String(item)));
      if (value.length > MAX_AUDITED_LIST) result[`${key}_total`] = value.length;
    }
  }
  return result;
}
