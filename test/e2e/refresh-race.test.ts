import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MeDocument, RefreshDocument } from '../generated/graphql.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { testManifest } from '../helpers/manifest.js';
import { registerUser } from '../helpers/users.js';

describe('refresh rotation under parallel use', () => {
  // A short grace window waited out in real time, so the suite runs the same against `serve --workers`.
  const GRACE_S = 3;
  let gh: TestInstance;
  before(async () => {
    gh = await startGatehouse({ manifest: testManifest({ tokens: { refresh_grace_seconds: GRACE_S } }) });
  });
  after(() => gh.close());

  it('20 parallel refreshes with one token: all succeed with the same successor; one rotation', async () => {
    const u = await registerUser(gh.url);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => gql(gh.url, RefreshDocument, { refreshToken: u.refreshToken })),
    );
    const tokens = new Set(results.map((r) => r.data?.refresh.refreshToken ?? `error:${codeOf(r)}`));
    assert.equal(tokens.size, 1, [...tokens].join(', '));
    const successor = [...tokens][0]!;
    assert.ok(!successor.startsWith('error:'));
    assert.notEqual(successor, u.refreshToken);
    const session = await gh.database.db.collection('sessions').findOne({ _id: u.sessionId as never });
    assert.ok(session);
    assert.equal(session.revokedAt ?? null, null);
    // exactly one rotation happened: only the original hash is in the rotated history
    const history = (session.prevHashes ?? [session.prevHash]).filter(Boolean);
    assert.equal(history.length, 1);

    // after the grace window the old token is theft: refused, session revoked, successor refused too
    await sleep(GRACE_S * 1000 + 200);
    const replay = await gql(gh.url, RefreshDocument, { refreshToken: u.refreshToken });
    assert.equal(codeOf(replay), 'UNAUTHENTICATED');
    const next = await gql(gh.url, RefreshDocument, { refreshToken: successor });
    assert.equal(codeOf(next), 'UNAUTHENTICATED');
    const revoked = await gh.database.db.collection('sessions').findOne({ _id: u.sessionId as never });
    assert.ok(revoked?.revokedAt);
    assert.equal(revoked?.revokeReason, 'reuse_detected');
    // and the access tokens of that session stop working
    const me = await gql(gh.url, MeDocument, {}, { token: results[0]!.data!.refresh.accessToken! });
    assert.equal(codeOf(me), 'UNAUTHENTICATED');
  });

  it('refuses an access token presented as a refresh token, and garbage', async () => {
    const u = await registerUser(gh.url);
    assert.equal(codeOf(await gql(gh.url, RefreshDocument, { refreshToken: u.accessToken })), 'UNAUTHENTICATED');
    assert.equal(codeOf(await gql(gh.url, RefreshDocument, { refreshToken: 'x' })), 'UNAUTHENTICATED');
    assert.equal(codeOf(await gql(gh.url, RefreshDocument, {})), 'UNAUTHENTICATED');
  });
});
