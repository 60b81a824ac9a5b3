import { token } from './api.js';

/** What the server tells the page about itself (GET /dashboard-config.json). */
export interface ServerInfo {
  auth: boolean;
  /** The claim holding the roles, as AUTH_ROLES_CLAIM (a dotted path). */
  rolesClaim: string;
}

let info: ServerInfo = { auth: false, rolesClaim: 'roles' };

export async function loadServerInfo(): Promise<ServerInfo> {
  const response = await fetch('/dashboard-config.json');
  if (response.ok) info = (await response.json()) as ServerInfo;
  return info;
}

export function serverInfo(): ServerInfo {
  return info;
}

type Role = 'reader' | 'operator' | 'worker' | 'admin';
const IMPLIED: Record<Role, Role[]> = { reader: ['reader'], operator: ['operator', 'reader'], worker: ['worker'], admin: ['admin', 'operator', 'reader', 'worker'] };

/**
 * The roles the signed-in token claims, read from its payload without verifying it: only to
 * disable the buttons the role may not use. The server checks every call itself.
 */
export function roles(): Set<Role> {
  if (!info.auth) return new Set(IMPLIED.admin);
  const current = token();
  if (!current) return new Set();
  try {
    const payload = JSON.parse(atob((current.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    let claim: unknown = payload;
    for (const part of info.rolesClaim.split('.')) claim = (claim as Record<string, unknown> | undefined)?.[part];
    const names = typeof claim === 'string' ? claim.split(/[\s,]+/) : Array.isArray(claim) ? claim : [];
    return new Set(names.flatMap((name) => IMPLIED[name as Role] ?? []));
  } catch {
    return new Set();
  }
}

export function subject(): string | undefined {
  const current = token();
  if (!current) return undefined;
  try {
    return (JSON.parse(atob((current.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string }).sub;
  } catch {
    return undefined;
  }
}

export function may(role: Role): boolean {
  return roles().has(role);
}
