import type { AppConfig } from '../config/index.js';
import { normalizeEmail, type UserRecord } from '../identity/index.js';
import type { FlowDeps } from './deps.js';

/** The role anonymous users get, and nothing else. */
export const ANONYMOUS_ROLE = 'anonymous';

const safeNormalize = (email: string) => {
  try {
    return normalizeEmail(email);
  } catch {
    return undefined;
  }
};

/**
 * Roles a new user gets: anonymous users only `anonymous`; others default_roles (plus `extra`).
 * Never `initial_roles`: at self-registration they would go to whoever registers the address
 * first; they are applied to accounts that exist (start-up, admin CLI) — see initialRolesOf.
 */
export function rolesForNewUser(app: AppConfig, user: UserRecord, extra: string[] = []): string[] {
  if (user.kind === 'ANONYMOUS') return [ANONYMOUS_ROLE];
  return [...new Set([...app.policy.defaultRoles, ...extra])];
}

/** The `initial_roles` that name this user's address (none for anonymous users). */
export function initialRolesOf(app: AppConfig, user: UserRecord): string[] {
  if (user.kind === 'ANONYMOUS' || user.email === null) return [];
  return app.policy.initialRoles.filter((r) => safeNormalize(r.user) === user.email).map((r) => r.role);
}

export async function grantRoles(s: FlowDeps, app: AppConfig, userId: string, roles: string[]): Promise<void> {
  const authz = s.authz(app.slug);
  for (const role of roles) if (!authz.hasRole(app.slug, userId, role)) await authz.grantRole(app.slug, userId, role);
}

/**
 * Start-up seeding, idempotent on every instance: demo users with their roles, then
 * `initial_roles` for users that exist now (a later self-registration does not get them).
 */
export async function seedApp(s: FlowDeps, app: AppConfig): Promise<void> {
  const demo = await s.identity.seedDemoUsers(app);
  for (const user of demo) {
    const conf = app.users.demoUsers.find((d) => safeNormalize(d.email) === user.email);
    await grantRoles(s, app, user.id, rolesForNewUser(app, user, conf?.roles ?? []));
  }
  for (const { user: email, role } of app.policy.initialRoles) {
    const user = await s.identity.findByEmail(app.slug, email).catch(() => null);
    if (user) await grantRoles(s, app, user.id, [role]);
  }
}
