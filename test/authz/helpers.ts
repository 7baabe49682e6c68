import { setTimeout as sleep } from 'node:timers/promises';
import { type Authorization, createAuthorization, PermissionHints } from '../../src/authz/index.js';
import type { AppConfig } from '../../src/config/index.js';
import { coreDeps, type TestDeps } from '../helpers/deps.js';

export type ProviderName = Authorization['name'];

export interface Instance {
  deps: TestDeps;
  app: AppConfig;
  authz: Authorization;
  /** The instance's (resource, action) hints (OSO precomputes them). */
  hints: PermissionHints;
  close(): Promise<void>;
}

export interface InstanceOptions {
  provider: ProviderName;
  dbName?: string;
  slug?: string;
  /** Merged into `auth.policy.authorization`. */
  authorization?: Record<string, unknown>;
  pollMs?: number;
  /** Shared by the instances of one suite; a fresh set when absent. */
  hints?: PermissionHints;
  start?: boolean;
  /** Record the database commands this instance sends (driver command monitoring). */
  monitorCommands?: boolean;
}

/** One provider over real CoreDeps (its own client, so two instances are two "processes"). */
export async function instance(o: InstanceOptions): Promise<Instance> {
  const manifest = {
    slug: o.slug ?? 'alpha',
    auth: { policy: { provider: o.provider, authorization: o.authorization ?? {} } },
  };
  const deps = await coreDeps({
    manifest,
    ...(o.dbName ? { dbName: o.dbName } : {}),
    ...(o.monitorCommands ? { monitorCommands: true } : {}),
  });
  const app = deps.manifest.apps[0]!;
  const hints = o.hints ?? new PermissionHints();
  const authz = createAuthorization(deps, app, { pollMs: o.pollMs ?? deps.settings.authzPollMs, hints });
  if (o.start !== false) await authz.start();
  return {
    deps,
    app,
    authz,
    hints,
    async close() {
      authz.stop();
      await deps.close();
    },
  };
}

/** Polls `check` every 20 ms until it holds; returns how long it took, or throws after `withinMs`. */
export async function eventually(check: () => boolean, withinMs: number, what: string): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (check()) return Math.round(performance.now() - t0);
    if (performance.now() - t0 > withinMs) throw new Error(`${what}: not within ${withinMs} ms`);
    await sleep(20);
  }
}
