import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RefreshDocument } from '../generated/graphql.js';
import { inProcess, startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { gql } from '../helpers/graphql.js';
import { testManifest } from '../helpers/manifest.js';
import { loginUser, registerUser } from '../helpers/users.js';

describe('secrets at rest', () => {
  let gh: TestInstance;
  before(async () => {
    gh = await startGatehouse({
      manifest: testManifest({
        users: {
          allow_registration: true,
          demo_users: [{ email: 'demo@example.test', password: 'Demo-Passphrase-Orchard-77', roles: ['admin'] }],
        },
      }),
    });
  });
  after(() => gh.close());

  it('no collection holds a password, refresh token, access token or private key in clear', async () => {
    const u = await registerUser(gh.url);
    const second = await loginUser(gh.url, u.email, u.password, 'second');
    const rotated = await gql(gh.url, RefreshDocument, { refreshToken: second.refreshToken });
    const secrets = [
      u.password,
      'Demo-Passphrase-Orchard-77',
      u.refreshToken,
      second.refreshToken,
      rotated.data!.refresh.refreshToken!,
      u.accessToken,
    ];
    // private key material: the `d` of every private JWK the service holds is never stored as such
    // The audit trail is scanned too: flushed in process, or given its batch interval (200 ms) thrice.
    await (inProcess(gh)?.services.audit.flush() ?? sleep(600));
    const db = gh.database.db;
    const dump: string[] = [];
    for (const c of await db.listCollections().toArray()) {
      for (const doc of await db.collection(c.name).find().toArray()) dump.push(JSON.stringify(doc));
    }
    const all = dump.join('\n');
    assert.ok(all.length > 0);
    for (const s of secrets) assert.ok(!all.includes(s), `found a secret in the database: ${s.slice(0, 6)}…`);
    const keys = await db.collection('signing_keys').find().toArray();
    assert.ok(keys.length >= 1);
    for (const k of keys) assert.doesNotMatch(JSON.stringify(k), /"d":"/);
  });
});
