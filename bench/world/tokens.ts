import { randomBytes } from 'node:crypto';
import type { Services } from '../../src/services.js';
import { benchUserId } from './seed.js';

/** An access token for bench user `u` in `slug`, exactly as login would sign it (roles from the live policy). */
export async function tokenFor(services: Services, slug: string, u: number): Promise<string> {
  const app = services.app(slug);
  if (!app) throw new Error(`no app ${slug}`);
  const userId = benchUserId(u);
  const roles = services.authz(slug).rolesFor(slug, userId);
  const sessionId = `bench-s-${u}-${randomBytes(6).toString('hex')}`;
  return (await services.tokens.issue(app, { userId, sessionId, roles })).token;
}

/** `n` tokens of distinct sessions, for users spread over the user base. */
export async function tokens(
  services: Services,
  slug: string,
  n: number,
  firstUser = 0,
  users = 10_000,
): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await tokenFor(services, slug, (firstUser + i * 7919) % users));
  return out;
}
