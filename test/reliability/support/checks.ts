import assert from 'node:assert/strict';
import type { Cluster } from './cluster.js';
import type { Fleet, OpKind } from './fleet.js';
import { APP } from './manifest.js';
import { reconcileSessions } from './sessions.js';
import { percentile, round } from './wait.js';
import type { InstanceWatch } from './watch.js';

/** Protected fields: they answer from memory (`can`) or need the database (`me`, `sessions`). */
export const PROTECTED: ReadonlySet<OpKind> = new Set(['me', 'can', 'sessions']);

/** Latency per kind of op: `kind n p50/p99/max`. */
export function latencySummary(fleet: Fleet): string {
  const kinds = [...new Set(fleet.records.map((r) => r.kind))].sort();
  return kinds
    .map((k) => {
      const ms = fleet.records.filter((r) => r.kind === k).map((r) => r.ms);
      return `${k} n=${ms.length} p50=${round(percentile(ms, 50))} p99=${round(percentile(ms, 99))} max=${round(Math.max(...ms))}`;
    })
    .join('; ');
}

/** Health probes never fail and stay fast; readiness answers within its ping budget; `can` never leaks. */
export function assertProbesSound(watch: InstanceWatch, limits: { healthzMs: number; readyzMs: number }): void {
  for (const s of watch.samples) {
    const took = s.doneAt - s.sentAt;
    if (s.kind === 'healthz') {
      assert.equal(s.status, 200, `instance ${s.instance} /healthz answered ${s.status}`);
      assert.ok(took <= limits.healthzMs, `instance ${s.instance} /healthz took ${round(took)} ms`);
    } else if (s.kind === 'readyz') {
      assert.ok(s.status === 200 || s.status === 503, `instance ${s.instance} /readyz answered ${s.status}`);
      assert.ok(took <= limits.readyzMs, `instance ${s.instance} /readyz took ${round(took)} ms`);
    } else {
      assert.ok(['ok', 'SERVICE_UNAVAILABLE'].includes(s.result), `instance ${s.instance} can: ${s.result}`);
    }
  }
}

/**
 * The fleet's problems since `from`, with the stored state and the request history of every
 * session they name: what a failure report needs to tell a lost answer from a server fault.
 */
export async function explainProblems(cluster: Cluster, fleet: Fleet, from = 0): Promise<string> {
  const problems = fleet.problems.slice(from);
  const ids = [...new Set(problems.flatMap((p) => /\(session ([^)]+)\)/.exec(p)?.[1] ?? []))];
  const docs = await cluster.db
    .collection<{ _id: string }>('sessions')
    .find({ _id: { $in: ids } }, { projection: { refreshHash: 0, prevHash: 0 } })
    .toArray();
  const t0 = fleet.records[0]?.sentAt ?? 0;
  const history = (id: string) =>
    fleet.records
      .filter((r) => r.sessionId === id)
      .map((r) => `${r.kind}@${Math.round(r.sentAt - t0)}+${Math.round(r.ms)}ms:${r.ok ? 'ok' : r.code}`)
      .join(' ');
  return [...problems, ...docs.map((d) => `${JSON.stringify(d)}\n  history: ${history(d._id)}`)].join('\n');
}

/**
 * After a fault: every session a client holds refreshes (none lost — a rotation whose answer was
 * lost mid-fault is retried inside the grace window), then the database matches the clients exactly.
 * Orphans — sessions whose login failed after its insert — are returned for the caller to judge.
 */
export async function assertSessionsIntact(cluster: Cluster, fleet: Fleet) {
  fleet.tolerate = 'nothing';
  const before = fleet.problems.length;
  const all = await fleet.refreshEach();
  if (!all) assert.fail(`sessions lost after the fault:\n${await explainProblems(cluster, fleet, before)}`);
  const rec = await reconcileSessions(cluster.db, APP, fleet.userIds(), fleet.held(), fleet.ended);
  assert.deepEqual(rec.lost, [], 'sessions held by clients but not live in the database');
  assert.deepEqual(rec.notHead, [], "sessions whose head is not the client's refresh token");
  assert.deepEqual(rec.duplicates, [], 'duplicated sessions or token hashes');
  assert.deepEqual(rec.endedButLive, [], 'logged-out sessions still live');
  return rec;
}
