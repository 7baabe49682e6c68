import { BUILTIN_DEFAULTS, type ResolvedManifest, resolveManifest, validateManifest } from '../../src/config/index.js';

/**
 * The manifests the benchmark serves. The "big world" is the auth-tax setting of the issue:
 * 1,000 policies and 10,000 users in the main app (EdDSA), plus apps that differ in one respect
 * each (signing algorithm; policy size 10 and 10,000). The "small world" is an app whose rate
 * limits a login burst does not trip, for the login, round-trip and revocation scenarios.
 */
export const MAIN_APP = 'bench';
export const USERS = 10_000;

/** The app whose tokens each algorithm signs (first-sight scenario). */
export const ALGORITHM_APPS = { EdDSA: MAIN_APP, ES256: 'bench_es256', HS256: 'bench_hs256' } as const;
export type BenchAlgorithm = keyof typeof ALGORITHM_APPS;

/** Apps by policy size, all with the same 10,000 users (permission-check scenario). */
export const POLICY_APPS = [
  { slug: 'bench_p10', policies: 10 },
  { slug: MAIN_APP, policies: 1_000 },
  { slug: 'bench_p10k', policies: 10_000 },
] as const;

export const SMALL_APP = 'lite';

/** Rate limits a benchmark's login burst stays under (the limiter itself still runs on every login). */
const OPEN_LIMITS = {
  login: { max_attempts: 1_000_000, window_seconds: 60 },
  login_ip: { max_attempts: 1_000_000, window_seconds: 60 },
  register: { max_attempts: 1_000_000, window_seconds: 60 },
};

/**
 * Each app keeps its policy in a collection of its own: FerretDB filters in its own process, so
 * apps sharing one collection would each scan everyone's rows at start-up (tens of seconds).
 */
const ownCollection = (slug: string, auth: Record<string, unknown> = {}) => ({
  slug,
  auth: { ...auth, policy: { authorization: { policies_collection: `policies_${slug}` } } },
});

export function bigManifest(): unknown {
  return {
    apps: [
      ownCollection(MAIN_APP, { tokens: { algorithm: 'EdDSA' } }),
      ownCollection(ALGORITHM_APPS.ES256, { tokens: { algorithm: 'ES256' } }),
      ownCollection(ALGORITHM_APPS.HS256, { tokens: { algorithm: 'HS256' } }),
      ...POLICY_APPS.filter((p) => p.slug !== MAIN_APP).map((p) => ownCollection(p.slug)),
    ],
  };
}

/** The big world's main app alone (1,000 policies, 10,000 users): what one serving instance of it holds. */
export function mainManifest(): unknown {
  const raw = bigManifest() as { apps: { slug: string }[] };
  return { apps: raw.apps.filter((a) => a.slug === MAIN_APP) };
}

export function smallManifest(): unknown {
  return {
    apps: [
      {
        slug: SMALL_APP,
        auth: {
          users: { allow_registration: true },
          // 0 s: a rotated refresh token presented again is theft at once (the round-trip scenario needs one).
          tokens: { refresh_grace_seconds: 0 },
          rate_limits: OPEN_LIMITS,
        },
      },
    ],
  };
}

export function resolved(raw: unknown): ResolvedManifest {
  const v = validateManifest(raw);
  if (!v.ok) throw new Error(`bench manifest invalid:\n${v.errors.join('\n')}`);
  return resolveManifest(v.manifest, BUILTIN_DEFAULTS);
}
