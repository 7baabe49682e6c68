import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Collection, MongoNetworkError } from 'mongodb';
import { LogoutDocument, RelMeDocument, RelRefreshDocument } from '../generated/graphql.js';
import { registerUser } from '../helpers/users.js';
import { type Cluster, startCluster } from './support/cluster.js';
import { note } from './support/flags.js';
import { call, type Outcome } from './support/http.js';
import { reliabilityManifest } from './support/manifest.js';
import { round } from './support/wait.js';

/** Makes the next `insertMany` into `collection` fail as a dropped connection would (in this process only). */
function failNextInsert(collection: string): { restore(): void; tripped(): boolean } {
  const original = Collection.prototype.insertMany;
  let armed = true;
  Collection.prototype.insertMany = function (this: Collection, ...args: Parameters<Collection['insertMany']>) {
    if (armed && this.collectionName === collection) {
      armed = false;
      return Promise.reject(new MongoNetworkError('connection reset (injected)'));
    }
    return original.apply(this, args) as ReturnType<Collection['insertMany']>;
  } as Collection['insertMany'];
  return {
    restore: () => {
      Collection.prototype.insertMany = original;
    },
    tripped: () => !armed,
  };
}

/** How long until `me` with this token is refused on `url`; undefined if still accepted after `ms`. */
async function refusedAfter(url: string, token: string, ms: number): Promise<number | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    if ((await call(url, RelMeDocument, {}, { token })).code === 'UNAUTHENTICATED') return performance.now() - t0;
    await sleep(50);
  }
  return undefined;
}

describe('partial failure: the session is revoked but the revocation feed write fails', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({ size: 2, manifest: reliabilityManifest() });
  });
  after(() => cluster?.close());

  it('logout whose feed insert is lost: SERVICE_UNAVAILABLE, the session is dead in the database, the instance that saw it refuses the token', async () => {
    const u = await registerUser(cluster.url(0));
    const fault = failNextInsert('revocations');
    let logout: Outcome<unknown>;
    try {
      logout = await call(cluster.url(0), LogoutDocument, {}, { token: u.accessToken });
    } finally {
      fault.restore();
    }
    assert.ok(fault.tripped());
    assert.equal(logout.code, 'SERVICE_UNAVAILABLE', logout.text);
    // The session update went through: no refresh, and instance A refuses at once (local set).
    assert.equal(
      (await call(cluster.url(1), RelRefreshDocument, { refreshToken: u.refreshToken })).code,
      'UNAUTHENTICATED',
    );
    assert.equal((await call(cluster.url(0), RelMeDocument, {}, { token: u.accessToken })).code, 'UNAUTHENTICATED');
    // The client retries its logout (on B, where the token still passes): told success.
    const retry = await call(cluster.url(1), LogoutDocument, {}, { token: u.accessToken });
    assert.equal(retry.data?.logout, true, retry.text);
    const lagB = await refusedAfter(cluster.url(1), u.accessToken, 3000);
    note(
      `partial failure: after the retried logout, B refuses the token after ${lagB === undefined ? 'NEVER (> 3000 ms)' : `${round(lagB)} ms`}`,
    );
    // The retry republishes what is revoked (not only what its update changed), so B learns of it too.
    assert.ok(lagB !== undefined && lagB <= 2000, 'a logged-out token must be refused everywhere within 2 s');
  });
});
