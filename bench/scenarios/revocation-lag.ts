import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../context.js';
import { ask } from '../lib/inprocess.js';
import { quantile } from '../lib/stats.js';
import { atMost, type Row, row } from '../report/rows.js';
import { resolved, SMALL_APP, smallManifest } from '../world/manifest.js';
import { CAN, LOGOUT } from '../world/operations.js';
import { openGatehouse } from '../world/world.js';

const SCENARIO = '6. Revocation lag';
const PROBE_MS = 5;
const GIVE_UP_MS = 5000;
/** Trials in flight at once, each starting at a random moment of the poll cycle. */
const PARALLEL = 6;

/**
 * Scenario 6: logout on instance A, then B is asked every few ms until it refuses the token.
 * Lag = from the logout request's start to B's first refusal. Both instances share the database
 * and poll the revocation feed on their own schedule (default every 500 ms).
 */
export async function revocationLag(ctx: BenchContext): Promise<Row[]> {
  const small = await ctx.small();
  const a = small.instance.gatehouse;
  const b = await openGatehouse(small.at, resolved(smallManifest()));
  const app = a.services.app(SMALL_APP)!;
  const pollMs = a.services.manifest.server.revocation.pollMs;
  const lags: number[] = [];
  try {
    const trial = async () => {
      const userId = `lag-${randomBytes(5).toString('hex')}`;
      const { session } = await a.services.sessions.create(app, userId, {});
      const { token } = await a.services.tokens.issue(app, { userId, sessionId: session.id, roles: [] });
      const headers = { 'x-gatehouse-app': SMALL_APP, authorization: `Bearer ${token}` };
      const before = await ask(b.gatehouse.yoga, CAN, {}, headers);
      if (before.errors) throw new Error(`B refused a fresh token: ${JSON.stringify(before.errors)}`);
      await sleep(Math.random() * pollMs * 1.2);
      const t0 = performance.now();
      const out = await ask(a.yoga, LOGOUT, {}, headers);
      if (out.data?.logout !== true) throw new Error(`logout failed: ${JSON.stringify(out)}`);
      for (;;) {
        const r = await ask(b.gatehouse.yoga, CAN, {}, headers);
        const lag = performance.now() - t0;
        if (r.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED' || lag > GIVE_UP_MS) return lag;
        await sleep(PROBE_MS);
      }
    };
    while (lags.length < ctx.config.revocationTrials) {
      lags.push(...(await Promise.all(Array.from({ length: PARALLEL }, trial))));
    }
  } finally {
    await b.stop();
  }
  const note = `${lags.length} trials, poll every ${pollMs} ms, probe every ${PROBE_MS} ms`;
  return [
    row(SCENARIO, 'logout on A → first refusal on B, p50', quantile(lags, 0.5), 'ms', undefined, note),
    row(SCENARIO, 'logout on A → first refusal on B, p99', quantile(lags, 0.99), 'ms', atMost(1000), note),
    row(SCENARIO, 'logout on A → first refusal on B, max', Math.max(...lags), 'ms'),
  ];
}
