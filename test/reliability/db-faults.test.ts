import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLIENT_OPTIONS } from '../../src/db/client.js';
import { RelLoginDocument, RelRefreshDocument, RelRegisterDocument } from '../generated/graphql.js';
import { strongPassword, uniqueEmail } from '../helpers/users.js';
import {
  assertProbesSound,
  assertSessionsIntact,
  explainProblems,
  latencySummary,
  PROTECTED,
} from './support/checks.js';
import { FAULT_MIX, type FaultRig, startFaultRig } from './support/fault-rig.js';
import { note } from './support/flags.js';
import { call, type Outcome, transportProblem } from './support/http.js';
import { pauseScenario } from './support/pause.js';
import { round, until, watchUnhandled } from './support/wait.js';

/** Scheduling slack on a loaded 2-core machine, on top of every configured bound. */
const SLACK = 1500;
/** A dead server costs one server selection, then the request fails (src/db/client.ts). */
const DEAD_DB_BOUND = Number(CLIENT_OPTIONS.serverSelectionTimeoutMS) + SLACK;
/** docs/contract.md bounds. */
const READYZ_BOUND = 5000;
const RECOVERY_BOUND = 10_000;

describe('database faults under mixed traffic: 3 instances on a FerretDB of their own', () => {
  let rig: FaultRig;
  before(async () => {
    // A short stale bound keeps the test short; the assertions use the bound set here. The grace
    // window is the maximum (60 s): a rotation whose answer the fault swallowed is retried after
    // the outage, later than the default 10 s (see README, known gap 3).
    rig = await startFaultRig({ staleAfterMs: 3000, graceSeconds: 60 });
  });
  after(() => rig?.close());

  it('kill -9: readyz 503 < 5 s, login/refresh/register SERVICE_UNAVAILABLE within one server selection, protected fields fail closed at the feed bound; restart: every instance recovers, nothing lost', async () => {
    const { cluster, fleet } = rig;
    const failClosedBound = rig.staleAfterMs + rig.pollMs + SLACK;
    const unhandled = watchUnhandled();
    const watch = rig.watch().start();
    let stop = false;
    const traffic = fleet.drive({ durationMs: 120_000, rate: 15, concurrency: 6, mix: FAULT_MIX, stop: () => stop });
    await sleep(1500);
    // Acknowledged just before the crash: these writes must survive it.
    const lastSecond = await Promise.all([0, 1, 2].map((i) => rig.newUser(i)));
    assert.ok(lastSecond.every(Boolean));

    const killedAt = performance.now();
    await rig.db.stop('SIGKILL');

    const readyz = await Promise.all(
      cluster.instances.map((_, i) =>
        until(
          `instance ${i} /readyz 503`,
          async () => watch.firstAfter(i, 'readyz', killedAt, (s) => s.status === 503) !== undefined,
          {
            within: READYZ_BOUND + SLACK,
          },
        ).then(() => watch.firstAfter(i, 'readyz', killedAt, (s) => s.status === 503)!),
      ),
    );

    // Each public mutation that needs the database, on each instance, while it is gone.
    const probes = await Promise.all(
      cluster.instances.map(async (_, i) => {
        const url = cluster.url(i);
        const { prober: p, watcher: w } = rig;
        return {
          login: await call(
            url,
            RelLoginDocument,
            { input: { email: p.email, password: p.password } },
            { timeoutMs: 20_000 },
          ),
          refresh: await call(url, RelRefreshDocument, { refreshToken: w.refreshToken }, { timeoutMs: 20_000 }),
          register: await call(
            url,
            RelRegisterDocument,
            { input: { email: uniqueEmail('down'), password: strongPassword() } },
            { timeoutMs: 20_000 },
          ),
        };
      }),
    );

    const failClosed = await Promise.all(
      cluster.instances.map((_, i) =>
        until(
          `instance ${i} fails closed`,
          async () => watch.firstAfter(i, 'can', killedAt, (s) => s.result === 'SERVICE_UNAVAILABLE') !== undefined,
          {
            within: failClosedBound + SLACK,
          },
        ).then(() => watch.firstAfter(i, 'can', killedAt, (s) => s.result === 'SERVICE_UNAVAILABLE')!),
      ),
    );
    // Stay down a while past the bound, so that "stays closed" is observed too.
    await sleep(Math.max(0, killedAt + failClosedBound + 2000 - performance.now()));

    // "Stays closed" holds until the restart begins: FerretDB answers before start() returns.
    const restartAt = performance.now();
    await rig.db.start();
    const upAt = performance.now();
    const recovery = await Promise.all(
      cluster.instances.map(async (_, i) => ({
        readyz: await until(
          `instance ${i} ready again`,
          async () => watch.firstAfter(i, 'readyz', upAt, (s) => s.status === 200) !== undefined,
          {
            within: RECOVERY_BOUND + SLACK,
          },
        ).then(() => watch.firstAfter(i, 'readyz', upAt, (s) => s.status === 200)!),
        login: await until(`instance ${i} serves logins again`, () => rig.loginWorks(i, rig.prober), {
          within: RECOVERY_BOUND + SLACK,
          every: 200,
          since: upAt,
        }),
        can: await until(
          `instance ${i} answers protected fields again`,
          async () => watch.firstAfter(i, 'can', upAt, (s) => s.result === 'ok') !== undefined,
          {
            within: RECOVERY_BOUND + SLACK,
          },
        ).then(() => watch.firstAfter(i, 'can', upAt, (s) => s.result === 'ok')!),
      })),
    );
    await sleep(1500); // traffic goes on after the recovery
    stop = true;
    const drove = await traffic;
    await watch.stop();
    unhandled.stop();

    note(
      `kill: /readyz 503 after [${readyz.map(round)}] ms; fail-closed after [${failClosed.map(round)}] ms (bound ${failClosedBound})`,
    );
    const probeMs = (k: 'login' | 'refresh' | 'register') => probes.map((p) => round(p[k].ms));
    note(
      `kill: while down, login [${probeMs('login')}] ms, refresh [${probeMs('refresh')}] ms, register [${probeMs('register')}] ms`,
    );
    note(
      `kill: recovery after restart — readyz [${recovery.map((r) => round(r.readyz))}] ms, login [${recovery.map((r) => round(r.login))}] ms, can [${recovery.map((r) => round(r.can))}] ms`,
    );
    note(
      `kill: traffic ${fleet.records.length} requests over ${drove.seconds.toFixed(1)} s (${drove.skipped} ticks skipped: all workers busy); ${latencySummary(fleet)}`,
    );

    for (const ms of readyz) assert.ok(ms <= READYZ_BOUND, `/readyz turned 503 after ${round(ms)} ms`);
    for (const [i, p] of probes.entries()) {
      for (const [kind, o] of Object.entries(p) as [string, Outcome<unknown>][]) {
        assert.equal(transportProblem(o, { allowUnavailable: true }), undefined, `instance ${i} ${kind}`);
        assert.equal(o.code, 'SERVICE_UNAVAILABLE', `instance ${i} ${kind} answered ${o.code}`);
        assert.equal(o.status, 503);
        assert.ok(o.ms <= DEAD_DB_BOUND, `instance ${i} ${kind} took ${round(o.ms)} ms (bound ${DEAD_DB_BOUND})`);
      }
    }
    for (const ms of failClosed) assert.ok(ms <= failClosedBound, `failed closed only after ${round(ms)} ms`);
    // Past the bound and until the database is back, no protected field answers anything.
    const closedFrom = killedAt + rig.staleAfterMs + SLACK;
    for (let i = 0; i < cluster.instances.length; i++) {
      const leaked = watch.of(i, 'can', closedFrom, restartAt).filter((s) => s.result === 'ok');
      assert.deepEqual(leaked, [], `instance ${i} answered a protected field with the feed stale`);
    }
    const openWhileDown = fleet.records.filter(
      (r) => PROTECTED.has(r.kind) && r.ok && r.sentAt > closedFrom && r.sentAt + r.ms < restartAt,
    );
    assert.deepEqual(openWhileDown, [], 'protected fields answered while the database was down past the bound');
    assertProbesSound(watch, { healthzMs: 1000, readyzMs: 2000 + SLACK });
    for (const r of recovery) {
      assert.ok(r.readyz <= RECOVERY_BOUND && r.login <= RECOVERY_BOUND && r.can <= RECOVERY_BOUND, JSON.stringify(r));
    }

    // The traffic: only right answers or SERVICE_UNAVAILABLE, never a hang past one server selection.
    if (fleet.problems.length > 0) assert.fail(await explainProblems(cluster, fleet));
    const slowest = Math.max(...fleet.records.map((r) => r.ms));
    assert.ok(slowest <= DEAD_DB_BOUND, `a request took ${round(slowest)} ms (bound ${DEAD_DB_BOUND})`);
    assert.ok(
      fleet.records.some((r) => r.code === 'SERVICE_UNAVAILABLE'),
      'the traffic met the outage',
    );
    assert.ok(
      fleet.records.some((r) => r.ok && r.sentAt > upAt),
      'the traffic went on after the recovery',
    );

    // Nothing lost: every account made before the crash logs in; every session still refreshes.
    fleet.tolerate = 'nothing';
    for (const [i, a] of fleet.accounts.entries()) {
      assert.ok(await fleet.run('login', a, i), `${a.email} cannot log in after the restart: ${fleet.problems.at(-1)}`);
    }
    for (const [i, a] of lastSecond.entries()) {
      assert.ok(await rig.loginWorks(i, a!), `${a!.email}, registered just before the crash, cannot log in`);
    }
    const rec = await assertSessionsIntact(cluster, fleet);
    const failedLogins = fleet.records.filter((r) => r.kind === 'login' && !r.ok).length;
    note(
      `kill: sessions after recovery — ${rec.live} live, ${fleet.held().length} held by clients, ${rec.orphans.length} orphaned by ${failedLogins} failed logins`,
    );
    assert.ok(rec.orphans.length <= failedLogins, `${rec.orphans.length} sessions no client was told about`);
    assert.deepEqual(unhandled.list, [], 'unhandled rejections');
  });

  it('SIGSTOP (slow database, short pause): requests bounded, /healthz responsive, recovery after SIGCONT, nothing lost', async () => {
    await pauseScenario(rig, { pauseMs: 4000 });
  });
});
