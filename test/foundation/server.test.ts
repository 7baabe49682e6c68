import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServerTimeDocument } from '../generated/graphql.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';

describe('HTTP server', () => {
  let gh: TestInstance;
  before(async () => {
    gh = await startGatehouse();
  });
  after(() => gh.close());

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${gh.origin}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${gh.origin}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
  });

  it('serves GraphQL with typed documents', async () => {
    const r = await gql(gh.url, ServerTimeDocument);
    assert.equal(r.status, 200);
    const t = Date.parse(r.data!.serverTime);
    assert.ok(Math.abs(t - Date.now()) < 5000);
  });

  it('refuses an unknown app', async () => {
    const r = await gql(gh.url, ServerTimeDocument, {}, { headers: { 'x-gatehouse-app': 'nope' } });
    assert.equal(codeOf(r), 'BAD_USER_INPUT');
    assert.equal(r.errors![0]!.extensions!.field, 'X-Gatehouse-App');
  });

  it('masks syntax errors without stack traces', async () => {
    const r = await gql(gh.url, '{ serverTime(');
    assert.ok(r.errors?.length);
    assert.doesNotMatch(JSON.stringify(r.errors), /at .*\.js:\d+/);
  });
});
