import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LogoutDocument, MeDocument } from '../generated/graphql.js';
import { freshDbName, startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { testManifest } from '../helpers/manifest.js';
import { registerUser } from '../helpers/users.js';

describe('two instances on one database', () => {
  let a: TestInstance;
  let b: TestInstance;
  before(async () => {
    const dbName = freshDbName();
    a = await startGatehouse({ dbName });
    b = await startGatehouse({ dbName });
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  it('a token from A works on B, and a logout on A is refused on B within 2 s', async () => {
    const u = await registerUser(a.url);
    assert.equal((await gql(b.url, MeDocument, {}, { token: u.accessToken })).data?.me?.id, u.userId);
    assert.equal((await gql(a.url, LogoutDocument, {}, { token: u.accessToken })).data?.logout, true);
    const t0 = Date.now();
    let lag = -1;
    while (Date.now() - t0 < 2000) {
      if (codeOf(await gql(b.url, MeDocument, {}, { token: u.accessToken })) === 'UNAUTHENTICATED') {
        lag = Date.now() - t0;
        break;
      }
      await sleep(25);
    }
    assert.ok(lag >= 0, 'B still accepted the token after 2 s');
    process.stdout.write(`# revocation lag A→B: ${lag} ms\n`);
  });
});

describe('read-your-writes across instances', () => {
  let a: TestInstance;
  let b: TestInstance;
  before(async () => {
    const dbName = freshDbName();
    // Polls 10 s apart: anything B knows within the test it learned by catching up, not by polling.
    const manifest = testManifest({}, { revocation: { poll_ms: 10_000, stale_after_ms: 30_000 } });
    a = await startGatehouse({ dbName, manifest });
    b = await startGatehouse({ dbName, manifest });
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  it("an account registered on A has its default roles on B at once (B catches up with the token's roles)", async () => {
    for (let i = 0; i < 3; i++) {
      const u = await registerUser(a.url);
      const t0 = Date.now();
      const me = await gql(b.url, MeDocument, {}, { token: u.accessToken });
      assert.deepEqual(me.data?.me?.roles, ['user'], JSON.stringify(me.errors));
      process.stdout.write(`# roles of a new account on B: ${Date.now() - t0} ms\n`);
    }
  });
});
