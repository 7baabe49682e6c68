import type { RawManifest } from './manifest-schema.js';

/**
 * Settings that are valid but risky together; `validate` prints them and `serve` logs them, and
 * neither refuses to run. Pure: the parsed manifest in, `<path>: <message>` lines out.
 */
export function manifestWarnings(raw: RawManifest): string[] {
  const multi = 'apps' in raw;
  const apps = multi ? raw.apps : [raw];
  return apps.flatMap((app, i) => {
    const at = multi ? `apps[${i}].auth` : 'auth';
    // A demo user's address is taken at start-up, before anyone could register it.
    const demo = new Set((app.auth?.users?.demo_users ?? []).map((d) => d.email.trim().toLowerCase()));
    const initial = (app.auth?.policy?.authorization?.initial_roles ?? []).filter(
      (r) => !demo.has(r.user.trim().toLowerCase()),
    );
    if (!app.auth?.users?.allow_registration || initial.length === 0) return [];
    // Anyone may register an address before its owner does; start-up then grants that account the role.
    return [
      `${at}.policy.authorization.initial_roles: open registration (${at}.users.allow_registration) lets anyone ` +
        'register these addresses first; initial roles are granted only at start-up and by the admin CLI, to the account that holds the address then',
    ];
  });
}
