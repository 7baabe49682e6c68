import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { subjectOf } from '../../src/authz/rbac.js';
import {
  GrantRoleDocument,
  LogoutDocument,
  RelCanDocument,
  RelLoginDocument,
  RelMeDocument,
  RelRefreshDocument,
  RelRegisterDocument,
  RelRolesOfDocument,
  RevokeRoleDocument,
} from '../generated/graphql.js';
import { inProcess } from '../helpers/gatehouse.js';
import { strongPassword, uniqueEmail } from '../helpers/users.js';
import { type Cluster, startCluster } from './support/cluster.js';
import { note } from './support/flags.js';
import { assertClean, call } from './support/http.js';
import { ADMIN, APP, EDITOR_PERMISSION, reliabilityManifest } from './support/manifest.js';
import { sha256 } from './support/sessions.js';
import { round, until } from './support/wait.js';

/** docs/contract.md: revocations and role changes reach every instance within 2 s. */
const PROPAGATION_BOUND = 2000;
const MAX_PER_USER = 10;

interface Signed {
  userId: string;
  sessionId: string;
  accessToken: string;
  refreshToken: string;
}

describe('races across 3 instances on one database', () => {
  let cluster: Cluster;
  const sessions = () =>
    cluster.db.collection<{
      _id: string;
      userId: string;
      revokedAt: Date | null;
      revokeReason: string | null;
      refreshHash: string;
      prevHash: string | null;
      rotations: number;
    }>('sessions');

  async function register(
    i: number,
    email = uniqueEmail('race'),
    password = strongPassword(),
  ): Promise<Signed & { email: string; password: string }> {
    const r = await call(cluster.url(i), RelRegisterDocument, { input: { email, password } });
    const p = r.data?.register;
    assert.ok(p?.refreshToken && p.accessToken, `register: ${r.text.slice(0, 200)}`);
    return {
      email,
      password,
      userId: p.user.id,
      sessionId: p.session.id,
      accessToken: p.accessToken,
      refreshToken: p.refreshToken,
    };
  }

  before(async () => {
    cluster = await startCluster({ manifest: reliabilityManifest({ maxPerUser: MAX_PER_USER }) });
  });
  after(() => cluster?.close());

  it('20 parallel refreshes of one token, split over 3 instances, three times over: one rotation each time, one live head', async () => {
    const u = await register(0);
    let token = u.refreshToken;
    for (let round = 1; round <= 3; round++) {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => call(cluster.url(i), RelRefreshDocument, { refreshToken: token })),
      );
      for (const r of results) assertClean(r, `round ${round} refresh`);
      const successors = new Set(results.map((r) => r.data?.refresh?.refreshToken ?? `refused: ${r.code}`));
      assert.equal(successors.size, 1, `round ${round}: callers got different answers: ${[...successors].join(', ')}`);
      const successor = [...successors][0]!;
      assert.ok(!successor.startsWith('refused') && successor !== token);
      assert.ok(results.every((r) => r.data?.refresh?.session.id === u.sessionId));
      const doc = await sessions().findOne({ _id: u.sessionId });
      assert.ok(doc);
      assert.equal(doc.rotations, round, 'exactly one rotation per round');
      assert.equal(doc.prevHash, sha256(token));
      assert.equal(doc.refreshHash, sha256(successor), 'the head is the successor every caller received');
      assert.equal(doc.revokedAt, null);
      token = successor;
    }
    assert.equal(await sessions().countDocuments({ userId: u.userId }), 1, 'one session, one head');
  });

  it('15 parallel logins against max_per_user 10: all succeed, exactly 10 live sessions remain, the 5 evicted are refused everywhere within 2 s', async () => {
    const u = await register(0);
    assert.equal((await call(cluster.url(0), LogoutDocument, {}, { token: u.accessToken })).data?.logout, true);
    const logins = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        call(cluster.url(i), RelLoginDocument, { input: { email: u.email, password: u.password } }),
      ),
    );
    for (const r of logins) assertClean(r, 'login');
    const signed = logins.map((r) => r.data?.login);
    assert.ok(
      signed.every((p) => p?.user.id === u.userId),
      `a login was refused: ${logins.map((r) => r.code).join(',')}`,
    );
    const ids = signed.map((p) => p!.session.id);
    assert.equal(new Set(ids).size, 15, 'every login made its own session');
    // Eviction runs after each login's response: wait for it (in-process), or for its effect (workers).
    for (const inst of cluster.instances) {
      const g = inProcess(inst);
      if (g) await g.services.flows.afterResponse();
    }
    if (cluster.instances.some((inst) => !inProcess(inst))) {
      await until(
        'evictions written',
        async () => (await sessions().countDocuments({ userId: u.userId, revokedAt: null })) <= MAX_PER_USER,
        { within: PROPAGATION_BOUND, every: 50 },
      );
    }

    const live = await sessions().find({ userId: u.userId, revokedAt: null }).toArray();
    assert.equal(live.length, MAX_PER_USER, `${live.length} live sessions`);
    const evicted = await sessions().find({ userId: u.userId, revokeReason: 'session_limit' }).toArray();
    assert.equal(evicted.length, 15 - MAX_PER_USER);
    assert.ok(evicted.every((d) => ids.includes(d._id)));

    const t0 = performance.now();
    for (const p of signed.filter((x) => evicted.some((d) => d._id === x!.session.id))) {
      for (let i = 0; i < cluster.instances.length; i++) {
        await until(
          `evicted session refused on instance ${i}`,
          async () =>
            (await call(cluster.url(i), RelMeDocument, {}, { token: p!.accessToken! })).code === 'UNAUTHENTICATED',
          {
            within: PROPAGATION_BOUND,
            every: 50,
            since: t0,
          },
        );
      }
      const r = await call(cluster.url(1), RelRefreshDocument, { refreshToken: p!.refreshToken });
      assert.equal(r.code, 'UNAUTHENTICATED', 'an evicted session cannot refresh');
    }
    note(
      `eviction: the 5 evicted sessions refused on all instances ${round(performance.now() - t0)} ms after the logins returned`,
    );
    for (const p of signed.filter((x) => live.some((d) => d._id === x!.session.id))) {
      const r = await call(cluster.url(2), RelMeDocument, {}, { token: p!.accessToken! });
      assert.equal(r.data?.me?.id, u.userId, 'a surviving session works');
    }
  });

  it('20 parallel registrations of one email (with case variants), over 3 instances: one user, one session, the rest BAD_USER_INPUT on email', async () => {
    const email = uniqueEmail('dup');
    const variants = [email, email.toUpperCase(), ` ${email}`, email.replace(/^./, (c) => c.toUpperCase())];
    const passwords = Array.from({ length: 20 }, () => strongPassword());
    const results = await Promise.all(
      passwords.map((password, i) =>
        call(cluster.url(i), RelRegisterDocument, { input: { email: variants[i % variants.length]!, password } }),
      ),
    );
    for (const r of results) assertClean(r, 'register');
    const winners = results.flatMap((r, i) =>
      r.data?.register ? [{ r: r.data.register, password: passwords[i]! }] : [],
    );
    assert.equal(winners.length, 1, `${winners.length} registrations succeeded`);
    const losers = results.filter((r) => !r.data?.register);
    assert.ok(
      losers.every((r) => r.code === 'BAD_USER_INPUT' && r.errors[0]?.extensions?.field === 'email'),
      losers.map((r) => r.text).join('\n'),
    );

    assert.equal(await cluster.db.collection('users').countDocuments({ app: APP, email }), 1);
    const userId = winners[0]!.r.user.id;
    assert.equal(await sessions().countDocuments({ userId }), 1, 'losers left no session behind');
    const good = await call(cluster.url(1), RelLoginDocument, { input: { email, password: winners[0]!.password } });
    assert.equal(good.data?.login?.user.id, userId);
    const other = passwords.find((p) => p !== winners[0]!.password)!;
    assert.equal(
      (await call(cluster.url(2), RelLoginDocument, { input: { email, password: other } })).code,
      'UNAUTHENTICATED',
    );
  });

  it('concurrent grantRole / revokeRole from every instance: the database keeps one row at most, and every instance converges on it; a last write wins everywhere within 2 s', async () => {
    const admin = await call(cluster.url(0), RelLoginDocument, { input: ADMIN });
    const adminToken = admin.data?.login?.accessToken;
    assert.ok(adminToken, `admin login: ${admin.text.slice(0, 200)}`);
    const targets = await Promise.all([0, 1, 2].map((i) => register(i)));
    const rows = cluster.db.collection('casbin_policies');
    const stored = async (userId: string) =>
      rows.countDocuments({ ptype: 'g', v0: subjectOf(userId), v1: 'editor', v2: APP });
    const write = (i: number, userId: string, grant: boolean) =>
      grant
        ? call(cluster.url(i), GrantRoleDocument, { userId, role: 'editor' }, { token: adminToken })
        : call(cluster.url(i), RevokeRoleDocument, { userId, role: 'editor' }, { token: adminToken });

    /** Every instance shows `expected` for this user, in live checks (`can`) and in its roles. */
    const convergedOn = async (t: Signed, expected: boolean) => {
      for (let i = 0; i < cluster.instances.length; i++) {
        const can = await call(cluster.url(i), RelCanDocument, EDITOR_PERMISSION, { token: t.accessToken });
        if (can.data?.can !== expected) return false;
        const roles = await call(cluster.url(i), RelRolesOfDocument, { id: t.userId }, { token: adminToken });
        if (roles.data?.user?.roles.includes('editor') !== expected) return false;
      }
      return true;
    };

    const lags: number[] = [];
    for (let burst = 1; burst <= 3; burst++) {
      const ops = Array.from({ length: 24 }, (_, k) => ({ i: k, t: targets[k % 3]!, grant: Math.random() < 0.5 }));
      const answers = await Promise.all(ops.map((o) => write(o.i, o.t.userId, o.grant)));
      for (const a of answers) {
        assertClean(a, 'role write');
        assert.ok(a.data && Object.values(a.data)[0] === true, a.text.slice(0, 200));
      }
      const t0 = performance.now();
      for (const t of targets) {
        const n = await stored(t.userId);
        assert.ok(n <= 1, `${n} rows for one role grant`);
        lags.push(
          await until(`burst ${burst}: instances agree with the database`, () => convergedOn(t, n === 1), {
            within: PROPAGATION_BOUND,
            every: 50,
            since: t0,
          }),
        );
      }
      // The last write, after the burst settled: it must win on every instance.
      const last = targets.map((t, k) => ({ t, grant: Math.random() < 0.5, i: burst + k }));
      for (const l of last) assertClean(await write(l.i, l.t.userId, l.grant), 'last write');
      const t1 = performance.now();
      for (const l of last) {
        assert.equal(await stored(l.t.userId), l.grant ? 1 : 0);
        lags.push(
          await until(`burst ${burst}: the last write wins everywhere`, () => convergedOn(l.t, l.grant), {
            within: PROPAGATION_BOUND,
            every: 50,
            since: t1,
          }),
        );
      }
    }
    note(
      `role races: convergence on all 3 instances after a burst or a last write — max ${round(Math.max(...lags))} ms (bound ${PROPAGATION_BOUND})`,
    );
  });
});
