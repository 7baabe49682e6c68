import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LoginDocument } from '../generated/graphql.js';
import { freshDbName, inProcess, startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { testManifest } from '../helpers/manifest.js';
import { registerUser, strongPassword } from '../helpers/users.js';

describe('brute-force protection across instances', () => {
  const instances: TestInstance[] = [];
  let verifications = 0;
  let spying = false;
  const manifest = testManifest({
    rate_limits: {
      login: { max_attempts: 5, window_seconds: 900 },
      login_ip: { max_attempts: 1000, window_seconds: 60 },
    },
  });
  before(async () => {
    const dbName = freshDbName();
    for (let i = 0; i < 3; i++) {
      const inst = await startGatehouse({ dbName, manifest });
      instances.push(inst);
      // every verify() of a login's password check is exactly one argon2 verification (a dummy one
      // for unknown emails); against workers there is no spy, and each UNAUTHENTICATED answer stands for one
      const gatehouse = inProcess(inst);
      if (!gatehouse) continue;
      spying = true;
      const identity = gatehouse.services.identity;
      const original = identity.prepareLogin.bind(identity);
      identity.prepareLogin = (app, input) => {
        const check = original(app, input);
        return {
          verify: () => {
            verifications++;
            return check.verify();
          },
        };
      };
    }
  });
  after(async () => {
    for (const i of instances) await i.close();
  });

  it('50 parallel wrong passwords over 3 instances: at most threshold + 1 verifications, then RATE_LIMITED with retryAfter', async () => {
    const u = await registerUser(instances[0]!.url);
    verifications = 0;
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        gql(instances[i % 3]!.url, LoginDocument, { input: { email: u.email, password: strongPassword() } }),
      ),
    );
    const codes = results.map(codeOf);
    const checked = codes.filter((c) => c === 'UNAUTHENTICATED').length;
    if (spying) assert.equal(checked, verifications, 'one verification per password checked');
    else verifications = checked;
    // 5 checks, then the account locks for 1 s, 2 s, 4 s… and each expiry lets one probe through:
    // a slow run (workers on a loaded machine) legitimately sees more probes than a fast one.
    const elapsedS = (performance.now() - started) / 1000;
    const probes = Math.max(1, Math.floor(Math.log2(1 + elapsedS)));
    assert.ok(verifications <= 5 + probes, `${verifications} argon2 verifications in ${elapsedS.toFixed(1)} s`);
    const limited = results.filter((r) => codeOf(r) === 'RATE_LIMITED');
    assert.equal(limited.length, 50 - verifications);
    for (const r of limited) assert.ok(Number(r.errors![0]!.extensions!.retryAfter) >= 1);
    // locked: even the right password is refused the same way. The locks are short (1 s, doubling),
    // so first make sure one with at least 2 s left is in force (a slow run may have outlived the last).
    for (let i = 0; ; i++) {
      const probe = await gql(instances[0]!.url, LoginDocument, {
        input: { email: u.email, password: strongPassword() },
      });
      const wait = codeOf(probe) === 'RATE_LIMITED' ? Number(probe.errors![0]!.extensions!.retryAfter) : 0;
      if (wait >= 2) break;
      assert.ok(i < 8, `no lock of 2 s or more after ${i} more wrong passwords: ${codeOf(probe)}`);
      // Refused attempts do not count: let a short lock run out, so the next wrong one doubles it.
      if (wait > 0) await new Promise((r) => setTimeout(r, wait * 1000 + 50));
    }
    const right = await gql(instances[1]!.url, LoginDocument, { input: { email: u.email, password: u.password } });
    assert.equal(codeOf(right), 'RATE_LIMITED');
    assert.ok(Number(right.errors![0]!.extensions!.retryAfter) >= 1);
  });

  it('20 aliased login fields in one request make no attempt at all', async () => {
    const u = await registerUser(instances[0]!.url);
    verifications = 0;
    const fields = Array.from(
      { length: 20 },
      (_, i) =>
        `a${i}: login(input: { email: ${JSON.stringify(u.email)}, password: "guess-${i}-Lantern-Orchard" }) { accessToken }`,
    ).join('\n');
    const r = await gql(instances[2]!.url, `mutation { ${fields} }`);
    assert.ok(r.errors?.length);
    assert.equal(r.data ?? null, null);
    if (spying) assert.equal(verifications, 0);
    // and the account is not locked by it
    const ok = await gql(instances[0]!.url, LoginDocument, { input: { email: u.email, password: u.password } });
    assert.ok(ok.data?.login.accessToken, JSON.stringify(ok.errors));
  });
});
