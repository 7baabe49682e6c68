import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OffsetClock } from '../../src/clock.js';
import { AuditEventsDocument, LoginDocument, LogoutDocument, RefreshDocument } from '../generated/graphql.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { testManifest } from '../helpers/manifest.js';
import { metric } from '../helpers/metrics.js';
import { loginUser, registerUser, strongPassword } from '../helpers/users.js';

const AUDITOR = { email: 'auditor@example.test', password: 'Auditor-Passphrase-Lagoon-2024' };

describe('audit trail and metrics of a full flow', () => {
  const clock = new OffsetClock();
  let gh: TestInstance;
  before(async () => {
    gh = await startGatehouse({
      clock,
      manifest: testManifest({
        users: { allow_registration: true, demo_users: [{ ...AUDITOR, roles: ['auditor'] }] },
        policy: { authorization: { initial_policies: [['auditor', 'audit', 'read']] } },
      }),
    });
  });
  after(() => gh.close());

  it('register, login, 3 wrong passwords, refresh, theft, logout: exactly these events, for auditors only', async () => {
    const loginsBefore = await metric(gh.origin, 'gatehouse_login_total', 'outcome="failure"');
    const u = await registerUser(gh.url, { deviceId: 'a' });
    const second = await loginUser(gh.url, u.email, u.password, 'b');
    for (let i = 0; i < 3; i++) {
      assert.equal(
        codeOf(await gql(gh.url, LoginDocument, { input: { email: u.email, password: strongPassword() } })),
        'UNAUTHENTICATED',
      );
    }
    const rotated = await gql(gh.url, RefreshDocument, { refreshToken: second.refreshToken });
    assert.ok(rotated.data?.refresh);
    clock.advance(11_000); // past the grace window: replaying the old token is theft
    assert.equal(codeOf(await gql(gh.url, RefreshDocument, { refreshToken: second.refreshToken })), 'UNAUTHENTICATED');
    assert.equal((await gql(gh.url, LogoutDocument, {}, { token: u.accessToken })).data?.logout, true);
    await gh.gatehouse.services.audit.flush();

    const auditor = await loginUser(gh.url, AUDITOR.email, AUDITOR.password);
    const events = await gql(
      gh.url,
      AuditEventsDocument,
      { first: 100, userId: u.userId },
      { token: auditor.accessToken },
    );
    assert.ok(events.data, JSON.stringify(events.errors));
    const seen = events.data.auditEvents.map((e) => `${e.type}:${e.outcome}`).reverse();
    assert.deepEqual(seen, [
      'register:success',
      'login:success',
      'login:failure',
      'login:failure',
      'login:failure',
      'refresh:success',
      'refresh_theft:failure',
      'logout:success',
    ]);
    for (const e of events.data.auditEvents) assert.equal(e.ip, '127.0.0.1');
    const byType = await gql(gh.url, AuditEventsDocument, { type: 'refresh_theft' }, { token: auditor.accessToken });
    assert.equal(byType.data?.auditEvents[0]?.sessionId, second.sessionId);

    const plain = await gql(gh.url, AuditEventsDocument, {}, { token: u.accessToken });
    assert.ok(['FORBIDDEN', 'UNAUTHENTICATED'].includes(String(codeOf(plain))));
    const other = await registerUser(gh.url);
    assert.equal(codeOf(await gql(gh.url, AuditEventsDocument, {}, { token: other.accessToken })), 'FORBIDDEN');

    assert.equal((await metric(gh.origin, 'gatehouse_login_total', 'outcome="failure"')) - loginsBefore, 3);
    assert.ok((await metric(gh.origin, 'gatehouse_refresh_total', 'outcome="theft"')) >= 1);
    assert.ok((await metric(gh.origin, 'gatehouse_graphql_requests_total', 'operation="Login"')) >= 4);
  });
});
