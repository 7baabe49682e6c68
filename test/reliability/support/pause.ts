import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLIENT_OPTIONS } from '../../../src/db/client.js';
import { RelLoginDocument, RelRefreshDocument } from '../../generated/graphql.js';
import { assertProbesSound, assertSessionsIntact, explainProblems, latencySummary } from './checks.js';
import { FAULT_MIX, type FaultRig } from './fault-rig.js';
import { note } from './flags.js';
import { call, transportProblem } from './http.js';
import { round, until, watchUnhandled } from './wait.js';

const SLACK = 1500;
const RECOVERY_BOUND = 10_000;
/**
 * A stalled server (SIGSTOP): an operation already on the wire waits for its socket timeout
 * (socketTimeoutMS), a new one for a server selection; after either the request fails.
 */
const STALLED_DB_BOUND = Number(CLIENT_OPTIONS.socketTimeoutMS) + SLACK;

/**
 * The database freezes (SIGSTOP) under mixed traffic on 3 instances, then thaws (SIGCONT).
 * Requests stay bounded, /healthz stays fast, protected fields fail closed once the pause outlasts
 * the feed bound, everything recovers without a restart and no session is lost.
 */
export async function pauseScenario(rig: FaultRig, opts: { pauseMs: number; label?: string }): Promise<void> {
  const { cluster, fleet } = rig;
  const label = opts.label ?? `pause ${opts.pauseMs} ms`;
  fleet.tolerate = 'unavailable';
  const traffic0 = fleet.records.length;
  const problems0 = fleet.problems.length;
  const unhandled = watchUnhandled();
  const watch = rig.watch().start();
  let stop = false;
  const traffic = fleet.drive({ durationMs: 180_000, rate: 15, concurrency: 6, mix: FAULT_MIX, stop: () => stop });
  await sleep(1500);

  const pausedAt = performance.now();
  await rig.db.pause();
  await sleep(Math.min(500, opts.pauseMs / 4));
  const { watcher: w, prober } = rig;
  const probes = Promise.all(
    cluster.instances.map(async (_, i) => ({
      login: await call(
        cluster.url(i),
        RelLoginDocument,
        { input: { email: prober.email, password: prober.password } },
        { timeoutMs: 30_000 },
      ),
      refresh: await call(cluster.url(i), RelRefreshDocument, { refreshToken: w.refreshToken }, { timeoutMs: 30_000 }),
    })),
  );
  await sleep(Math.max(0, pausedAt + opts.pauseMs - performance.now()));
  rig.db.resume();
  const resumedAt = performance.now();

  const recovery = await Promise.all(
    cluster.instances.map(async (_, i) => ({
      readyz: await until(
        `instance ${i} ready`,
        async () => watch.firstAfter(i, 'readyz', resumedAt, (s) => s.status === 200) !== undefined,
        {
          within: RECOVERY_BOUND + SLACK,
        },
      ).then(() => watch.firstAfter(i, 'readyz', resumedAt, (s) => s.status === 200)!),
      login: await until(`instance ${i} serves logins`, () => rig.loginWorks(i, prober), {
        within: RECOVERY_BOUND + SLACK,
        every: 200,
        since: resumedAt,
      }),
      can: await until(
        `instance ${i} answers protected fields`,
        async () => watch.firstAfter(i, 'can', resumedAt, (s) => s.result === 'ok') !== undefined,
        {
          within: RECOVERY_BOUND + SLACK,
        },
      ).then(() => watch.firstAfter(i, 'can', resumedAt, (s) => s.result === 'ok')!),
    })),
  );
  const probed = await probes;
  await sleep(1500);
  stop = true;
  await traffic;
  await watch.stop();
  unhandled.stop();

  const records = fleet.records.slice(traffic0);
  const during = records.filter((r) => r.sentAt + r.ms > pausedAt && r.sentAt < resumedAt);
  const slowest = Math.max(...records.map((r) => r.ms));
  const healthz = watch.samples.filter((s) => s.kind === 'healthz' && s.sentAt >= pausedAt && s.sentAt < resumedAt);
  note(
    `${label}: healthz during the pause n=${healthz.length} max=${round(Math.max(...healthz.map((s) => s.doneAt - s.sentAt)))} ms`,
  );
  note(
    `${label}: probes login [${probed.map((p) => `${p.login.code ?? 'ok'} ${round(p.login.ms)}`)}] ms, refresh [${probed.map((p) => `${p.refresh.code ?? 'ok'} ${round(p.refresh.ms)}`)}] ms`,
  );
  note(
    `${label}: ${during.length} requests overlapped the pause (${during.filter((r) => r.code === 'SERVICE_UNAVAILABLE').length} SERVICE_UNAVAILABLE); slowest ${round(slowest)} ms (bound ${STALLED_DB_BOUND}); ${latencySummary(fleet)}`,
  );
  note(
    `${label}: recovery after SIGCONT — readyz [${recovery.map((r) => round(r.readyz))}] ms, login [${recovery.map((r) => round(r.login))}] ms, can [${recovery.map((r) => round(r.can))}] ms`,
  );

  assertProbesSound(watch, { healthzMs: 1000, readyzMs: 2000 + SLACK });
  if (opts.pauseMs >= 2000 + SLACK) {
    for (let i = 0; i < cluster.instances.length; i++) {
      // Any probe answered during the pause counts, also one sent just before it: with readyz's 2 s
      // ping bound, a probe sent in the pause's first 100 ms may be the only one to finish inside it.
      const answered = watch.samples.filter(
        (s) => s.instance === i && s.kind === 'readyz' && s.doneAt > pausedAt && s.sentAt < resumedAt,
      );
      assert.ok(
        answered.some((s) => s.status === 503),
        `instance ${i} stayed ready while paused: ${answered.map((s) => `${s.status}@${round(s.sentAt - pausedAt)}..${round(s.doneAt - pausedAt)}`)}`,
      );
    }
  }
  const closedFrom = pausedAt + rig.staleAfterMs + SLACK;
  if (opts.pauseMs > rig.staleAfterMs + rig.pollMs + 2 * SLACK) {
    for (let i = 0; i < cluster.instances.length; i++) {
      const samples = watch.of(i, 'can', closedFrom, resumedAt);
      assert.ok(
        samples.length > 0 && samples.every((s) => s.result === 'SERVICE_UNAVAILABLE'),
        `instance ${i} did not fail closed while paused`,
      );
    }
  }
  for (const [i, p] of probed.entries()) {
    for (const [kind, o] of Object.entries(p)) {
      assert.equal(transportProblem(o, { allowUnavailable: true }), undefined, `instance ${i} ${kind}`);
      assert.ok(o.ms <= STALLED_DB_BOUND, `instance ${i} ${kind} took ${round(o.ms)} ms`);
    }
  }
  if (fleet.problems.length > problems0) assert.fail(await explainProblems(cluster, fleet, problems0));
  assert.ok(slowest <= STALLED_DB_BOUND, `a request took ${round(slowest)} ms (bound ${STALLED_DB_BOUND})`);
  for (const r of recovery)
    assert.ok(r.readyz <= RECOVERY_BOUND && r.login <= RECOVERY_BOUND && r.can <= RECOVERY_BOUND, JSON.stringify(r));

  // The watch account's refresh may have been applied when the server thawed, after its client
  // had given up: the retry must still succeed (grace window), not be taken for theft.
  const retry = await call(cluster.url(1), RelRefreshDocument, { refreshToken: w.refreshToken });
  assert.ok(retry.data?.refresh, `the watch session was lost: ${retry.code} ${retry.errors[0]?.message}`);
  w.refreshToken = retry.data.refresh.refreshToken!;
  w.accessToken = retry.data.refresh.accessToken!;

  const rec = await assertSessionsIntact(cluster, fleet);
  const failedLogins = fleet.records.filter((r) => r.kind === 'login' && !r.ok).length;
  note(
    `${label}: sessions — ${rec.live} live, ${fleet.held().length} held, ${rec.orphans.length} orphaned by ${failedLogins} failed logins`,
  );
  assert.ok(rec.orphans.length <= failedLogins);
  assert.deepEqual(unhandled.list, [], 'unhandled rejections');
}
