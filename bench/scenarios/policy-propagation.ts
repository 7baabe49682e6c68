import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { PolicyStore } from '../../src/authz/index.js';
import { appQuery } from '../../src/authz/rows.js';
import type { BenchContext } from '../context.js';
import { quantile } from '../lib/stats.js';
import { atMost, type Row, row } from '../report/rows.js';
import { MAIN_APP, mainManifest, resolved, USERS } from '../world/manifest.js';
import { benchUserId, READER } from '../world/seed.js';
import { openServices } from '../world/world.js';

const SCENARIO = '10. Policy propagation';
const PROBE_MS = 5;
const GIVE_UP_MS = 10_000;
const TRIALS = 20;

/**
 * A role grant (and its revoke) on instance A, seen by instance B, at 10,000 users holding 20,000
 * grants plus 1,000 policies (the big world's main app). B polls the revision every 500 ms and,
 * for a journaled write, looks up only the rules it names (issue 14 item 12). For scale, the time
 * a full read of that policy takes (what every reload cost before) is measured beside it.
 */
export async function policyPropagation(ctx: BenchContext): Promise<Row[]> {
  const { at, services: a } = await ctx.big();
  const b = await openServices(at, resolved(mainManifest()));
  const lags: number[] = [];
  try {
    const authzA = a.authz(MAIN_APP);
    const authzB = b.services.authz(MAIN_APP);
    const role = `prop_${randomBytes(3).toString('hex')}`;
    await authzA.addPolicy(MAIN_APP, role, 'propagation', 'read');
    for (let i = 0; i < TRIALS; i++) {
      const user = benchUserId((i * 997) % USERS);
      const seen = async (want: boolean) => {
        await sleep(Math.random() * 600); // a random moment of B's poll cycle
        const t0 = performance.now();
        await (want ? authzA.grantRole(MAIN_APP, user, role) : authzA.revokeRole(MAIN_APP, user, role));
        while (authzB.can(MAIN_APP, user, 'propagation', 'read') !== want) {
          if (performance.now() - t0 > GIVE_UP_MS) break;
          await sleep(PROBE_MS);
        }
        return performance.now() - t0;
      };
      lags.push(await seen(true), await seen(false));
    }
    if (!authzB.hasRole(MAIN_APP, benchUserId(0), READER)) throw new Error('B lost the seeded grants');
  } finally {
    await b.stop();
  }
  const store = PolicyStore.open(a.database.db, a.app(MAIN_APP)!.policy.policiesCollection);
  const t0 = performance.now();
  const all = await store.load(appQuery(MAIN_APP, ['p'], ['g']));
  const fullReadMs = performance.now() - t0;
  const note = `${lags.length} writes (grant, revoke) on A; ${all.length.toLocaleString('en')} rules; B polls every 500 ms`;
  return [
    row(SCENARIO, 'grant/revoke on A → seen on B, p50', quantile(lags, 0.5), 'ms', undefined, note),
    row(SCENARIO, 'grant/revoke on A → seen on B, max', Math.max(...lags), 'ms', atMost(2000), note),
    row(SCENARIO, 'full read of that policy (each reload before)', fullReadMs, 'ms', undefined, `${ctx.dbKind}`),
  ];
}
