import { z } from 'zod';
import { singleAppSchema } from './manifest-schema.js';
import { BUILTIN_DEFAULTS } from './resolve.js';

/**
 * The meaning and default of every manifest key and environment variable. The configuration
 * reference (docs/configuration.md) is generated from this table and the zod schema together,
 * and a test fails when a schema key has no entry here (or an entry names no key): they cannot drift.
 */
export const MANIFEST_KEYS: Record<string, [defaultValue: string, meaning: string]> = {
  slug: ['(required)', 'the app (tenant) id: lower-case letters, digits, _ or -; clients name it in X-Gatehouse-App'],
  name: ['the slug', 'display name'],
  'auth.policy.provider': ['casbin', 'authorization provider: casbin or oso'],
  'auth.policy.required': [
    'false',
    'true: every root field of the app (downstream ones included) needs a valid token, except the public credential fields; @auth/@permission apply either way',
  ],
  'auth.policy.allow_anonymous': ['false', 'allow loginAnonymous (anonymous users get only the anonymous role)'],
  'auth.policy.authorization.model': [
    'rbac',
    'Casbin model: rbac (built-in RBAC with domains and wildcards) or a path to a .conf file',
  ],
  'auth.policy.authorization.policies_collection': [
    'casbin_policies',
    'MongoDB collection holding {ptype, v0…v5} policy and role rows',
  ],
  'auth.policy.authorization.link_users_roles': [
    'true',
    'mdb-engine key, accepted; users are always linked to roles by g rows',
  ],
  'auth.policy.authorization.default_roles': ['["user"]', 'roles granted at registration'],
  'auth.policy.authorization.initial_roles[].user': [
    '—',
    'email of an existing user to grant a role to (at start-up and by `user create`; never at self-registration)',
  ],
  'auth.policy.authorization.initial_roles[].role': ['—', 'the role to grant'],
  'auth.policy.authorization.initial_roles[].resource': ['—', 'accepted for mdb-engine compatibility, ignored'],
  'auth.policy.authorization.initial_policies': [
    '[]',
    '[[role, resource, action], …] applied idempotently at start-up; * is a wildcard',
  ],
  'auth.policy.authorization.policy_file': ['built-in RBAC', 'OSO only: path of the .polar policy'],
  'auth.users.enabled': ['true', 'password users on/off'],
  'auth.users.strategy': ['app_users', 'mdb-engine key, accepted'],
  'auth.users.allow_registration': ['false', 'allow register (else it answers FORBIDDEN)'],
  'auth.users.demo_users[].email': ['—', 'demo user created idempotently at start-up'],
  'auth.users.demo_users[].password': ['—', 'its password (stored only as an argon2id hash)'],
  'auth.users.demo_users[].roles': ['[]', 'its roles'],
  'auth.users.demo_users[].role': ['—', "mdb-engine's single-role form of roles"],
  'auth.users.require_email_verification': [
    'false',
    'login refused (FORBIDDEN, reason EMAIL_NOT_VERIFIED) until the address is verified; roles beyond `user` wait for it',
  ],
  'auth.email.smtp_url': [
    '—',
    'smtp:// or smtps:// server for outgoing mail; unset: messages go to ./.gatehouse/outbox/',
  ],
  'auth.email.from': ['<app name> <no-reply@localhost>', 'From header of the messages'],
  'auth.email.verify_url': ['—', 'link in the verification message; {token} is replaced (unset: the token alone)'],
  'auth.email.reset_url': ['—', 'link in the password-reset message; {token} is replaced (unset: the token alone)'],
  'auth.email.verify_ttl': ['86400', 'lifetime of an e-mail verification token, seconds'],
  'auth.email.reset_ttl': ['1800', 'lifetime of a password-reset token, seconds'],
  'auth.mfa.enabled': ['false', 'TOTP two-factor: enrollTotp / confirmTotp / disableTotp and LoginInput.totpCode'],
  'auth.mfa.issuer': ['the app name', 'issuer shown by authenticator apps (otpauth URI)'],
  'auth.mfa.required_roles': ['[]', 'users holding one of these roles must enrol before anything else works'],
  'auth.tokens.access_ttl': [`${BUILTIN_DEFAULTS.accessTtl} (env ACCESS_TOKEN_TTL)`, 'access-token lifetime, seconds'],
  'auth.tokens.refresh_ttl': [
    `${BUILTIN_DEFAULTS.refreshTtl} (env REFRESH_TOKEN_TTL)`,
    'absolute session lifetime, seconds',
  ],
  'auth.tokens.refresh_grace_seconds': [
    '10',
    'window in which a just-rotated refresh token still gets the same successor; 0 = off',
  ],
  'auth.tokens.algorithm': ['EdDSA', 'access-token signature: EdDSA, ES256, RS256 or HS256'],
  'auth.tokens.issuer': ['gatehouse', 'the iss claim'],
  'auth.sessions.max_per_user': [
    `${BUILTIN_DEFAULTS.maxSessionsPerUser} (env MAX_SESSIONS_PER_USER)`,
    'live sessions per user; a new login evicts the least recently active',
  ],
  'auth.sessions.inactivity_timeout': [
    `${BUILTIN_DEFAULTS.inactivityTimeout} (env SESSION_INACTIVITY_TIMEOUT)`,
    'a session unused this long (seconds) ends at its next use',
  ],
  'auth.cookies.enabled': ['false', 'cookie mode: tokens in HttpOnly cookies, CSRF token required'],
  'auth.cookies.same_site': ['lax', 'SameSite of the cookies: strict, lax or none (any case)'],
  'auth.cookies.secure': ['true', 'Secure attribute (keep true outside local development)'],
  'auth.cookies.allowed_origins': [
    '[]',
    'origins (besides the server’s own) allowed to send cookie-authenticated requests',
  ],
  'auth.rate_limits.login.max_attempts': ['5', 'failed logins per account before lock-out'],
  'auth.rate_limits.login.window_seconds': ['900', 'window of those attempts'],
  'auth.rate_limits.login.max_lockout_seconds': ['900', 'cap of the exponential lock-out'],
  'auth.rate_limits.login_ip.max_attempts': ['20', 'logins per IP per window'],
  'auth.rate_limits.login_ip.window_seconds': ['60', 'its window'],
  'auth.rate_limits.register.max_attempts': ['10', 'registrations per IP per window'],
  'auth.rate_limits.register.window_seconds': ['3600', 'its window'],
  'auth.rate_limits.anonymous.max_attempts': ['10', 'anonymous logins per IP per window'],
  'auth.rate_limits.anonymous.window_seconds': ['3600', 'its window'],
  'auth.rate_limits.password_reset.max_attempts': ['3', 'password-reset requests per address per window'],
  'auth.rate_limits.password_reset.window_seconds': ['3600', 'its window'],
  'auth.rate_limits.password_reset_ip.max_attempts': ['10', 'password-reset requests per IP per window'],
  'auth.rate_limits.password_reset_ip.window_seconds': ['3600', 'its window'],
  'auth.audit.retention_days': ['90', 'audit events older than this are deleted'],
  'downstream[].name': ['—', 'a downstream GraphQL service fronted by the gateway'],
  'downstream[].url': ['—', 'its endpoint; it must answer { _service { sdl } }'],
  'downstream[].apps': ['every app', 'the app slugs whose requests may reach it; others are refused with FORBIDDEN'],
  'graphql.max_depth': ['10', 'deepest query accepted'],
  'graphql.max_aliases': ['15', 'aliases per operation'],
  'graphql.max_tokens': ['2000', 'lexical tokens per document'],
  'graphql.max_cost': ['5000', 'estimated cost per operation'],
  'graphql.max_batch': ['10', 'operations per batched request (0 = batching off)'],
  'graphql.max_body_bytes': ['100000', 'request body size'],
  'graphql.max_entities': [
    '100',
    'entity representations per request (`_entities`, all aliases and batched operations together)',
  ],
  'graphql.introspection': ['on except in production', 'introspection on/off'],
  'http.cors_origins': ['[]', 'origins allowed by CORS (credentials allowed; never *)'],
  'http.trusted_proxies': ['[]', 'proxy IPs whose X-Forwarded-For is believed'],
  'revocation.poll_ms': ['500', 'how often each instance reads the revocation feed and policy revision'],
  'revocation.stale_after_ms': ['10000', 'protected fields fail closed once the feed is this stale'],
};

export const ENV_VARS: [name: string, defaultValue: string, meaning: string][] = [
  ['PORT', '4000', 'port to listen on (flag --port wins)'],
  ['HOST', '127.0.0.1', 'address to listen on (flag --host wins)'],
  ['MONGODB_URI', 'embedded', 'the database; unset: a mongod on PATH, else FerretDB under ./.gatehouse/'],
  [
    'GATEHOUSE_EMBEDDED_DB',
    'postgresql when installed, else sqlite',
    'backend of the embedded FerretDB: `sqlite` or `postgresql` (a private cluster under ./.gatehouse/)',
  ],
  ['MONGODB_DB', 'gatehouse', 'database name'],
  ['GATEHOUSE_MANIFEST', './manifest.json', 'manifest file (flag --manifest wins)'],
  [
    'GATEHOUSE_OUTBOX',
    './.gatehouse/outbox',
    'folder for e-mail of apps without auth.email.smtp_url (one .eml per message)',
  ],
  ['GATEHOUSE_SECRET', 'generated in development', '≥ 32 random characters; required when NODE_ENV=production'],
  ['FLASK_SECRET_KEY', '—', 'alias of GATEHOUSE_SECRET (mdb-engine)'],
  ['ACCESS_TOKEN_TTL', String(BUILTIN_DEFAULTS.accessTtl), 'default of auth.tokens.access_ttl'],
  ['REFRESH_TOKEN_TTL', String(BUILTIN_DEFAULTS.refreshTtl), 'default of auth.tokens.refresh_ttl'],
  ['MAX_SESSIONS_PER_USER', String(BUILTIN_DEFAULTS.maxSessionsPerUser), 'default of auth.sessions.max_per_user'],
  [
    'SESSION_INACTIVITY_TIMEOUT',
    String(BUILTIN_DEFAULTS.inactivityTimeout),
    'default of auth.sessions.inactivity_timeout',
  ],
  ['NODE_ENV', 'development', 'production: secret required, introspection and GraphiQL off'],
  ['LOG_LEVEL', 'info', 'pino level'],
  [
    'POOL_NICE',
    '10',
    "niceness of libuv's thread-pool threads (argon2id) in `serve`, 0–19; 0 leaves them at the event loop's priority",
  ],
  [
    'REQUEST_LOG_SAMPLE',
    '1',
    'share (0–1] of ordinary request-log lines written (status < 400, no GraphQL error); errors, refusals and 5xx always are',
  ],
  [
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    '— (tracing export off)',
    'OTLP/HTTP collector base URL; set (or the next one): `serve` starts the OpenTelemetry SDK and sends spans to `<url>/v1/traces`',
  ],
  ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', '—', 'full OTLP/HTTP traces URL; wins over OTEL_EXPORTER_OTLP_ENDPOINT'],
  ['OTEL_EXPORTER_OTLP_HEADERS', '—', 'headers for the collector, `k=v,k2=v2` (e.g. its API key)'],
  ['OTEL_SDK_DISABLED', 'false', 'true: no SDK and no export even with an endpoint set'],
  ['OTEL_SERVICE_NAME', 'gatehouse', 'service.name of the exported spans (OTEL_RESOURCE_ATTRIBUTES adds others)'],
  ['OTEL_BSP_SCHEDULE_DELAY', '5000', 'ms between two span exports (batch span processor)'],
];

type JsonSchema = { type?: string; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[] };

/** Every leaf key of the manifest schema, with its JSON type, as `a.b[].c`. */
export function manifestLeaves(): [path: string, type: string][] {
  const out: [string, string][] = [];
  const walk = (node: JsonSchema, path: string) => {
    const obj = node.anyOf?.find((n) => n.type === 'object') ?? node;
    if (obj.type === 'object' && obj.properties) {
      for (const [k, v] of Object.entries(obj.properties)) walk(v, path ? `${path}.${k}` : k);
    } else if (obj.type === 'array' && obj.items?.type === 'object') {
      walk(obj.items, `${path}[]`);
    } else {
      out.push([path, obj.type ?? 'value']);
    }
  };
  walk(z.toJSONSchema(singleAppSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, '');
  return out;
}

/** The manifest keys as a Markdown table. */
export function manifestKeysTable(): string[] {
  const rows = manifestLeaves().map(([path, type]) => {
    const doc = MANIFEST_KEYS[path];
    if (!doc) throw new Error(`manifest key ${path} has no entry in MANIFEST_KEYS`);
    return `| \`${path}\` | ${type} | ${doc[0]} | ${doc[1]} |`;
  });
  return ['| key | type | default | meaning |', '|---|---|---|---|', ...rows];
}

/** The environment variables as a Markdown table. */
export function envVarsTable(): string[] {
  return [
    '| variable | default | meaning |',
    '|---|---|---|',
    ...ENV_VARS.map(([n, d, m]) => `| \`${n}\` | ${d} | ${m} |`),
  ];
}

/** docs/configuration.md, generated. */
export function configurationReference(): string {
  return [
    '# Configuration reference',
    '',
    '<!-- generated by `./bin/gatehouse config-reference > docs/configuration.md`; do not edit -->',
    '',
    'A manifest holds one app (`{"slug": …, "auth": …}`, the mdb-engine form; then `graphql`, `http`, `revocation` and',
    '`downstream` sit beside `slug`) or several (`{"apps": [{"slug": …, "auth": …}, …], "graphql": …, "downstream": […]}`).',
    'Keys are snake_case; unknown keys (other mdb-engine sections) are ignored. An app’s own value wins over the',
    'environment defaults.',
    '',
    '## Manifest keys',
    '',
    ...manifestKeysTable(),
    '',
    '## Environment',
    '',
    ...envVarsTable(),
    '',
  ].join('\n');
}
