import type { RawApp, RawDownstream, RawManifest, RawServer, SigningAlgorithm } from './manifest-schema.js';

/** Defaults that the mdb-engine env names may override; a manifest value still wins over them. */
export interface EnvDefaults {
  accessTtl: number;
  refreshTtl: number;
  maxSessionsPerUser: number;
  inactivityTimeout: number;
}

export const BUILTIN_DEFAULTS: EnvDefaults = {
  accessTtl: 600,
  refreshTtl: 30 * 24 * 3600,
  maxSessionsPerUser: 10,
  inactivityTimeout: 7 * 24 * 3600,
};

export interface Limit {
  maxAttempts: number;
  windowSeconds: number;
}

export interface DemoUser {
  email: string;
  password: string;
  roles: string[];
}

/** One app (tenant) with every default filled in. */
export interface AppConfig {
  slug: string;
  name: string;
  policy: {
    provider: 'casbin' | 'oso';
    required: boolean;
    allowAnonymous: boolean;
    model: string;
    policiesCollection: string;
    linkUsersRoles: boolean;
    defaultRoles: string[];
    initialRoles: { user: string; role: string }[];
    initialPolicies: [string, string, string][];
    policyFile: string | undefined;
  };
  users: {
    enabled: boolean;
    strategy: string;
    allowRegistration: boolean;
    demoUsers: DemoUser[];
    requireEmailVerification: boolean;
  };
  /** Outgoing e-mail: SMTP when `smtpUrl` is set, else files in the local outbox. TTLs in seconds. */
  email: {
    smtpUrl: string | undefined;
    from: string;
    verifyUrl: string | undefined;
    resetUrl: string | undefined;
    verifyTtl: number;
    resetTtl: number;
  };
  mfa: { enabled: boolean; issuer: string; requiredRoles: string[] };
  tokens: {
    accessTtl: number;
    refreshTtl: number;
    refreshGraceSeconds: number;
    algorithm: SigningAlgorithm;
    issuer: string;
  };
  sessions: { maxPerUser: number; inactivityTimeout: number };
  cookies: { enabled: boolean; sameSite: 'strict' | 'lax' | 'none'; secure: boolean; allowedOrigins: string[] };
  rateLimits: {
    login: Limit & { maxLockoutSeconds: number };
    loginIp: Limit;
    register: Limit;
    anonymous: Limit;
    passwordReset: Limit;
    passwordResetIp: Limit;
  };
  audit: { retentionDays: number };
}

export interface Downstream {
  name: string;
  url: string;
  /** The apps it serves; undefined: every app. */
  apps?: string[] | undefined;
}

export interface ServerSettings {
  graphql: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxCost: number;
    maxBatch: number;
    maxBodyBytes: number;
    maxEntities: number;
    introspection: boolean | undefined;
  };
  http: { corsOrigins: string[]; trustedProxies: string[] };
  revocation: { pollMs: number; staleAfterMs: number };
}

export interface ResolvedManifest {
  apps: AppConfig[];
  downstream: Downstream[];
  server: ServerSettings;
}

const limit = (raw: { max_attempts?: number; window_seconds?: number } | undefined, d: Limit): Limit => ({
  maxAttempts: raw?.max_attempts ?? d.maxAttempts,
  windowSeconds: raw?.window_seconds ?? d.windowSeconds,
});

export function resolveApp(raw: RawApp, env: EnvDefaults): AppConfig {
  const a = raw.auth ?? {};
  const authz = a.policy?.authorization ?? {};
  return {
    slug: raw.slug,
    name: raw.name ?? raw.slug,
    policy: {
      provider: a.policy?.provider ?? 'casbin',
      required: a.policy?.required ?? false,
      allowAnonymous: a.policy?.allow_anonymous ?? false,
      model: authz.model ?? 'rbac',
      policiesCollection: authz.policies_collection ?? 'casbin_policies',
      linkUsersRoles: authz.link_users_roles ?? true,
      defaultRoles: authz.default_roles ?? ['user'],
      initialRoles: (authz.initial_roles ?? []).map(({ user, role }) => ({ user, role })),
      initialPolicies: authz.initial_policies ?? [],
      policyFile: authz.policy_file,
    },
    users: {
      enabled: a.users?.enabled ?? true,
      strategy: a.users?.strategy ?? 'app_users',
      allowRegistration: a.users?.allow_registration ?? false,
      demoUsers: (a.users?.demo_users ?? []).map((u) => ({
        email: u.email,
        password: u.password,
        roles: u.roles ?? (u.role ? [u.role] : []),
      })),
      requireEmailVerification: a.users?.require_email_verification ?? false,
    },
    email: {
      smtpUrl: a.email?.smtp_url,
      from: a.email?.from ?? `${raw.name ?? raw.slug} <no-reply@localhost>`,
      verifyUrl: a.email?.verify_url,
      resetUrl: a.email?.reset_url,
      verifyTtl: a.email?.verify_ttl ?? 86_400,
      resetTtl: a.email?.reset_ttl ?? 1800,
    },
    mfa: {
      enabled: a.mfa?.enabled ?? false,
      issuer: a.mfa?.issuer ?? raw.name ?? raw.slug,
      requiredRoles: a.mfa?.required_roles ?? [],
    },
    tokens: {
      accessTtl: a.tokens?.access_ttl ?? env.accessTtl,
      refreshTtl: a.tokens?.refresh_ttl ?? env.refreshTtl,
      refreshGraceSeconds: a.tokens?.refresh_grace_seconds ?? 10,
      algorithm: a.tokens?.algorithm ?? 'EdDSA',
      issuer: a.tokens?.issuer ?? 'gatehouse',
    },
    sessions: {
      maxPerUser: a.sessions?.max_per_user ?? env.maxSessionsPerUser,
      inactivityTimeout: a.sessions?.inactivity_timeout ?? env.inactivityTimeout,
    },
    cookies: {
      enabled: a.cookies?.enabled ?? false,
      sameSite: a.cookies?.same_site ?? 'lax',
      secure: a.cookies?.secure ?? true,
      allowedOrigins: a.cookies?.allowed_origins ?? [],
    },
    rateLimits: {
      login: {
        ...limit(a.rate_limits?.login, { maxAttempts: 5, windowSeconds: 900 }),
        maxLockoutSeconds: a.rate_limits?.login?.max_lockout_seconds ?? 900,
      },
      loginIp: limit(a.rate_limits?.login_ip, { maxAttempts: 20, windowSeconds: 60 }),
      register: limit(a.rate_limits?.register, { maxAttempts: 10, windowSeconds: 3600 }),
      anonymous: limit(a.rate_limits?.anonymous, { maxAttempts: 10, windowSeconds: 3600 }),
      passwordReset: limit(a.rate_limits?.password_reset, { maxAttempts: 3, windowSeconds: 3600 }),
      passwordResetIp: limit(a.rate_limits?.password_reset_ip, { maxAttempts: 10, windowSeconds: 3600 }),
    },
    audit: { retentionDays: a.audit?.retention_days ?? 90 },
  };
}

function resolveServer(raw: RawServer): ServerSettings {
  const g = raw.graphql ?? {};
  return {
    graphql: {
      maxDepth: g.max_depth ?? 10,
      maxAliases: g.max_aliases ?? 15,
      maxTokens: g.max_tokens ?? 2000,
      maxCost: g.max_cost ?? 5000,
      maxBatch: g.max_batch ?? 10,
      maxBodyBytes: g.max_body_bytes ?? 100_000,
      maxEntities: g.max_entities ?? 100,
      introspection: g.introspection,
    },
    http: { corsOrigins: raw.http?.cors_origins ?? [], trustedProxies: raw.http?.trusted_proxies ?? [] },
    revocation: { pollMs: raw.revocation?.poll_ms ?? 500, staleAfterMs: raw.revocation?.stale_after_ms ?? 10_000 },
  };
}

export function resolveManifest(raw: RawManifest, env: EnvDefaults): ResolvedManifest {
  const apps: RawApp[] = 'apps' in raw ? raw.apps : [raw];
  // `downstream` may sit at the top level (both forms) or, in the single-app form, inside the app.
  const downstream: RawDownstream[] = [
    ...(raw.downstream ?? []),
    ...apps.flatMap((a) => ('apps' in raw ? (a.downstream ?? []) : [])),
  ];
  return { apps: apps.map((a) => resolveApp(a, env)), downstream, server: resolveServer(raw) };
}
