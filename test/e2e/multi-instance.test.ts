import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LogoutDocument, MeDocument } from '../generated/graphql.js';
import { freshDbName, startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
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
