import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChangePasswordDocument,
  LoginAnonymousDocument,
  LoginDocument,
  LogoutAllDocument,
  LogoutDocument,
  MeDocument,
  RefreshDocument,
  RegisterDocument,
  RevokeSessionDocument,
  SessionsDocument,
} from '../generated/graphql.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { testManifest } from '../helpers/manifest.js';
import { loginUser, registerUser, strongPassword, uniqueEmail } from '../helpers/users.js';

/** Polls until `me` with this token is refused; returns how long that took. */
async function refusedWithin(url: string, token: string, ms: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const r = await gql(url, MeDocument, {}, { token });
    if (codeOf(r) === 'UNAUTHENTICATED') return Date.now() - t0;
    await sleep(50);
  }
  throw new Error(`token still accepted after ${ms} ms`);
}

describe('identity end to end over HTTP', () => {
  let gh: TestInstance;
  before(async () => {
    gh = await startGatehouse({ manifest: testManifest({ policy: { allow_anonymous: true } }) });
  });
  after(() => gh.close());

  it('register → login on two devices → sessions → refresh → logout one device', async () => {
    const reg = await registerUser(gh.url, { deviceId: 'laptop' });
    const me0 = await gql(gh.url, MeDocument, {}, { token: reg.accessToken });
    assert.equal(me0.data?.me?.email, reg.email);
    assert.equal(me0.data?.me?.kind, 'PASSWORD');
    assert.deepEqual(me0.data?.me?.roles, ['user']);

    const phone = await loginUser(gh.url, reg.email, reg.password, 'phone');
    const tablet = await loginUser(gh.url, reg.email, reg.password, 'tablet');
    const list = await gql(gh.url, SessionsDocument, {}, { token: phone.accessToken });
    const devices = list.data!.sessions.map((s) => s.deviceId).sort();
    assert.deepEqual(devices, ['laptop', 'phone', 'tablet']);
    assert.equal(list.data!.sessions.filter((s) => s.current).length, 1);
    assert.equal(list.data!.sessions.find((s) => s.current)!.deviceId, 'phone');

    const r1 = await gql(gh.url, RefreshDocument, { refreshToken: phone.refreshToken });
    assert.ok(r1.data?.refresh, JSON.stringify(r1.errors));
    assert.notEqual(r1.data.refresh.refreshToken, phone.refreshToken);
    assert.equal(r1.data.refresh.session.id, phone.sessionId);
    assert.equal(r1.data.refresh.tokenType, 'Bearer');

    const out = await gql(gh.url, LogoutDocument, {}, { token: phone.accessToken });
    assert.equal(out.data?.logout, true);
    const lag = await refusedWithin(gh.url, r1.data.refresh.accessToken!, 2000);
    assert.ok(lag <= 2000);
    const stillOk = await gql(gh.url, MeDocument, {}, { token: tablet.accessToken });
    assert.equal(stillOk.data?.me?.id, reg.userId);
    const reuse = await gql(gh.url, RefreshDocument, { refreshToken: r1.data.refresh.refreshToken! });
    assert.equal(codeOf(reuse), 'UNAUTHENTICATED');
  });

  it('logs in with a wrong password and an unknown email with the same answer', async () => {
    const u = await registerUser(gh.url);
    const wrong = await gql(gh.url, LoginDocument, { input: { email: u.email, password: strongPassword() } });
    const unknown = await gql(gh.url, LoginDocument, { input: { email: uniqueEmail(), password: strongPassword() } });
    assert.equal(codeOf(wrong), 'UNAUTHENTICATED');
    assert.equal(codeOf(unknown), 'UNAUTHENTICATED');
    assert.equal(wrong.errors![0]!.message, unknown.errors![0]!.message);
  });

  it('refuses protected fields without a token and rejects bad input with the field name', async () => {
    assert.equal(codeOf(await gql(gh.url, MeDocument)), 'UNAUTHENTICATED');
    assert.equal(codeOf(await gql(gh.url, LogoutDocument)), 'UNAUTHENTICATED');
    const badEmail = await gql(gh.url, RegisterDocument, {
      input: { email: 'not-an-email', password: strongPassword() },
    });
    assert.equal(codeOf(badEmail), 'BAD_USER_INPUT');
    assert.equal(badEmail.errors![0]!.extensions!.field, 'email');
    const weak = await gql(gh.url, RegisterDocument, { input: { email: uniqueEmail(), password: 'password' } });
    assert.equal(codeOf(weak), 'BAD_USER_INPUT');
    assert.equal(weak.errors![0]!.extensions!.field, 'password');
    assert.ok(Array.isArray(weak.errors![0]!.extensions!.reasons));
    const huge = await gql(gh.url, LoginDocument, { input: { email: uniqueEmail(), password: 'x'.repeat(2000) } });
    assert.equal(codeOf(huge), 'BAD_USER_INPUT');
    assert.equal(huge.errors![0]!.extensions!.field, 'password');
    const operator = await gql(gh.url, 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
      i: { email: { $gt: '' }, password: 'Echo-Me-Not-Secret-77' },
    });
    assert.equal(codeOf(operator), 'BAD_USER_INPUT');
    assert.equal(operator.errors![0]!.extensions!.field, 'email');
    assert.doesNotMatch(JSON.stringify(operator), /stack|at .*\.js|Echo-Me-Not/);
  });

  it('logoutAll, revokeSession and changePassword revoke what they should', async () => {
    const u = await registerUser(gh.url, { deviceId: 'a' });
    const b = await loginUser(gh.url, u.email, u.password, 'b');
    const c = await loginUser(gh.url, u.email, u.password, 'c');
    // someone else's session cannot be revoked
    const other = await registerUser(gh.url);
    assert.equal(
      (await gql(gh.url, RevokeSessionDocument, { id: other.sessionId }, { token: u.accessToken })).data?.revokeSession,
      false,
    );
    assert.equal((await gql(gh.url, MeDocument, {}, { token: other.accessToken })).data?.me?.id, other.userId);
    // own session can
    assert.equal(
      (await gql(gh.url, RevokeSessionDocument, { id: c.sessionId }, { token: u.accessToken })).data?.revokeSession,
      true,
    );
    await refusedWithin(gh.url, c.accessToken, 2000);
    // change password: other sessions end, this one lives
    const wrongCurrent = await gql(
      gh.url,
      ChangePasswordDocument,
      { currentPassword: 'nope-nope-nope', newPassword: strongPassword() },
      { token: u.accessToken },
    );
    assert.equal(codeOf(wrongCurrent), 'UNAUTHENTICATED');
    const next = strongPassword();
    const changed = await gql(
      gh.url,
      ChangePasswordDocument,
      { currentPassword: u.password, newPassword: next },
      { token: u.accessToken },
    );
    assert.equal(changed.data?.changePassword, true, JSON.stringify(changed.errors));
    await refusedWithin(gh.url, b.accessToken, 2000);
    assert.equal((await gql(gh.url, MeDocument, {}, { token: u.accessToken })).data?.me?.id, u.userId);
    const old = await gql(gh.url, LoginDocument, { input: { email: u.email, password: u.password } });
    assert.equal(codeOf(old), 'UNAUTHENTICATED');
    const fresh = await loginUser(gh.url, u.email, next, 'd');
    const all = await gql(gh.url, LogoutAllDocument, {}, { token: fresh.accessToken });
    assert.equal(all.data?.logoutAll, 2);
    await refusedWithin(gh.url, u.accessToken, 2000);
  });

  it('anonymous users: same user per device, only the anonymous role', async () => {
    const a1 = await gql(gh.url, LoginAnonymousDocument, { deviceId: 'kiosk-1' });
    const a2 = await gql(gh.url, LoginAnonymousDocument, { deviceId: 'kiosk-1' });
    assert.ok(a1.data && a2.data, JSON.stringify(a1.errors));
    assert.equal(a1.data.loginAnonymous.user.id, a2.data.loginAnonymous.user.id);
    assert.equal(a1.data.loginAnonymous.user.kind, 'ANONYMOUS');
    assert.deepEqual(a1.data.loginAnonymous.user.roles, ['anonymous']);
    const bad = await gql(gh.url, LoginAnonymousDocument, { deviceId: 'has spaces and $' });
    assert.equal(bad.errors?.[0]?.extensions?.field, 'deviceId');
  });
});

describe('apps that do not allow registration or anonymous users', () => {
  let gh: TestInstance;
  before(async () => {
    gh = await startGatehouse({ manifest: { slug: 'closed' } });
  });
  after(() => gh.close());

  it('answers FORBIDDEN', async () => {
    const reg = await gql(gh.url, RegisterDocument, { input: { email: uniqueEmail(), password: strongPassword() } });
    assert.equal(codeOf(reg), 'FORBIDDEN');
    const anon = await gql(gh.url, LoginAnonymousDocument, { deviceId: 'dev-1' });
    assert.equal(codeOf(anon), 'FORBIDDEN');
  });
});
