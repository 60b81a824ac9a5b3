/** The roles a token can grant. Which RPC needs which is in access-policy.ts. */
export type Role = 'reader' | 'operator' | 'worker' | 'admin';
export const ROLES: readonly Role[] = ['reader', 'operator', 'worker', 'admin'];

/**
 * What each role also grants: operator includes reader, admin everything. worker is separate, so
 * a worker's credentials cannot read or change job definitions.
 */
const IMPLIED: Readonly<Record<Role, readonly Role[]>> = {
  reader: ['reader'],
  operator: ['operator', 'reader'],
  worker: ['worker'],
  admin: ['admin', 'operator', 'reader', 'worker'],
};

/** Whether holding `roles` satisfies a method that needs `required`. */
export function grants(roles: ReadonlySet<Role>, required: Role): boolean {
  for (const role of roles) if (IMPLIED[role].includes(required)) return true;
  return false;
}

/** The roles that satisfy `required`, for messages: operator → operator or admin. */
export function rolesGranting(required: Role): Role[] {
  return ROLES.filter((role) => IMPLIED[role].includes(required));
}

/** Who is calling, as far as the server could establish. */
export interface Principal {
  /** The token's `sub`, the client certificate's subject, or "anonymous". */
  readonly subject: string;
  readonly roles: ReadonlySet<Role>;
  /** How the subject was established. */
  readonly via: 'jwt' | 'client-certificate' | 'none';
}

/** Before authentication, and for callers the server knows nothing about. Holds no role. */
export const ANONYMOUS: Principal = Object.freeze({ subject: 'anonymous', roles: new Set<Role>(), via: 'none' as const });
