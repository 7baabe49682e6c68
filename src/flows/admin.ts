import type { AppConfig } from '../config/index.js';
import { InputError } from '../identity/index.js';
import type { VerifiedToken } from '../tokens/index.js';
import { auditAuth } from './audit.js';
import type { FlowDeps } from './deps.js';
import type { RequestInfo } from './request-info.js';

const NAME = /^[A-Za-z0-9_.:*-]{1,64}$/;

/** Role, resource and action names: short, printable, no operators; `*` is the wildcard. */
export function checkName(field: string, value: string): string {
  if (!NAME.test(value)) throw new InputError(field, `${field} must be 1–64 characters of letters, digits, _ . : * -`);
  return value;
}

async function existingUser(s: FlowDeps, app: AppConfig, userId: string) {
  const user = await s.identity.findById(app.slug, userId);
  if (!user) throw new InputError('userId', 'No such user in this app');
  return user;
}

export async function setRole(
  s: FlowDeps,
  app: AppConfig,
  admin: VerifiedToken,
  input: { userId: string; role: string; grant: boolean },
  req: RequestInfo,
): Promise<boolean> {
  checkName('role', input.role);
  const user = await existingUser(s, app, input.userId);
  const authz = s.authz(app.slug);
  if (input.grant) await authz.grantRole(app.slug, user.id, input.role);
  else await authz.revokeRole(app.slug, user.id, input.role);
  auditAuth(s, app.slug, req, input.grant ? 'role_granted' : 'role_revoked', 'success', {
    userId: user.id,
    details: { role: input.role, by: admin.userId },
  });
  return true;
}

export async function setPolicy(
  s: FlowDeps,
  app: AppConfig,
  admin: VerifiedToken,
  input: { role: string; resource: string; action: string; add: boolean },
  req: RequestInfo,
): Promise<boolean> {
  const role = checkName('role', input.role);
  const resource = checkName('resource', input.resource);
  const action = checkName('action', input.action);
  const authz = s.authz(app.slug);
  const changed = input.add
    ? await authz.addPolicy(app.slug, role, resource, action)
    : await authz.removePolicy(app.slug, role, resource, action);
  auditAuth(s, app.slug, req, input.add ? 'policy_added' : 'policy_removed', 'success', {
    userId: admin.userId,
    details: { role, resource, action, changed },
  });
  return true;
}
