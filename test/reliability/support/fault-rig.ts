import { RelLoginDocument, RelRegisterDocument } from '../../generated/graphql.js';
import { startOwnFerretDB } from '../../helpers/own-db.js';
import { strongPassword, uniqueEmail } from '../../helpers/users.js';
import { type Cluster, startCluster } from './cluster.js';
import { type Account, Fleet, type Mix } from './fleet.js';
import { call } from './http.js';
import { reliabilityManifest } from './manifest.js';
import { InstanceWatch } from './watch.js';

export type OwnDb = Awaited<ReturnType<typeof startOwnFerretDB>>;

/** Traffic while the database is faulted: no logout (its outcome would be unknowable mid-fault). */
export const FAULT_MIX: Mix = { me: 25, can: 25, refresh: 30, login: 10, sessions: 10 };

export interface FaultRigOptions {
  /** `revocation.stale_after_ms`: lowered so the fail-closed bound is reached within a short test. */
  staleAfterMs: number;
  /** `auth.tokens.refresh_grace_seconds`. */
  graceSeconds?: number;
  users?: number;
}

/**
 * Three instances on a FerretDB of the test's own (stopped, restarted, paused at will), a fleet of
 * clients, and a watch account whose session only the probes use.
 */
export interface FaultRig {
  db: OwnDb;
  cluster: Cluster;
  fleet: Fleet;
  /** Its session feeds the watch's protected-field probe; nothing else signs it in (no eviction). */
  watcher: Account & { accessToken: string; refreshToken: string };
  /** Signs in again and again to probe "this instance serves logins". */
  prober: Account;
  staleAfterMs: number;
  pollMs: number;
  graceSeconds: number;
  watch(): InstanceWatch;
  /** Logs `a` in on instance `i`: the probe of "this instance serves logins again". */
  loginWorks(i: number, a: Account): Promise<boolean>;
  newUser(i: number): Promise<Account | undefined>;
  close(): Promise<void>;
}

export async function startFaultRig(opts: FaultRigOptions): Promise<FaultRig> {
  const db = await startOwnFerretDB();
  const pollMs = 500;
  const graceSeconds = opts.graceSeconds ?? 10;
  let cluster: Cluster | undefined;
  try {
    cluster = await startCluster({
      manifest: reliabilityManifest({ staleAfterMs: opts.staleAfterMs, pollMs, refreshGraceSeconds: graceSeconds }),
      env: { MONGODB_URI: db.uri },
    });
    const c = cluster;
    const urls = c.instances.map((g) => g.url);
    const fleet = await Fleet.enroll({ urls, sessionsPerUser: 4, tolerate: 'unavailable' }, opts.users ?? 6, 2);
    const newUser = async (i: number): Promise<Account | undefined> => {
      const a = { email: uniqueEmail('rig'), password: strongPassword(), userId: '' };
      const r = await call(c.url(i), RelRegisterDocument, { input: { email: a.email, password: a.password } });
      if (!r.data?.register) return undefined;
      a.userId = r.data.register.user.id;
      return a;
    };
    const w = await newUser(0);
    const prober = await newUser(1);
    if (!prober) throw new Error('fault rig: no prober account');
    const login = w && (await call(c.url(0), RelLoginDocument, { input: { email: w.email, password: w.password } }));
    const signed = login?.data?.login;
    if (!w || !signed?.refreshToken || !signed.accessToken)
      throw new Error('fault rig: the watch account could not sign in');
    return {
      db,
      cluster: c,
      fleet,
      watcher: { ...w, accessToken: signed.accessToken, refreshToken: signed.refreshToken },
      prober,
      staleAfterMs: opts.staleAfterMs,
      pollMs,
      graceSeconds,
      watch() {
        return new InstanceWatch(
          c.instances.map((g) => ({ origin: g.origin, url: g.url, token: signed.accessToken! })),
        );
      },
      async loginWorks(i, a) {
        const r = await call(
          c.url(i),
          RelLoginDocument,
          { input: { email: a.email, password: a.password } },
          { timeoutMs: 15_000 },
        );
        return r.data?.login?.user.id === a.userId;
      },
      newUser,
      async close() {
        await c.close();
        await db.dispose();
      },
    };
  } catch (err) {
    await cluster?.close();
    await db.dispose();
    throw err;
  }
}
