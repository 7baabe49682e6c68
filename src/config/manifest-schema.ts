import { z } from 'zod';

/**
 * The manifest as written by people: every Gatehouse key optional, mdb-engine's `auth`
 * section accepted unchanged (unknown keys are ignored rather than rejected, because
 * mdb-engine manifests carry many keys that concern other parts of that engine).
 * Defaults are applied later in `resolve.ts`, where env overrides are known.
 */

const seconds = (min = 1) => z.number().int().min(min);
const nonEmpty = z.string().trim().min(1);

export const ALGORITHMS = ['EdDSA', 'ES256', 'RS256', 'HS256'] as const;
export type SigningAlgorithm = (typeof ALGORITHMS)[number];

const sameSite = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['strict', 'lax', 'none'], { message: 'must be one of strict, lax, none (any case)' }));

const limitSchema = z.object({
  max_attempts: z.number().int().min(1).optional(),
  window_seconds: seconds().optional(),
});

const demoUser = z
  .object({
    email: nonEmpty,
    password: z.string().min(1),
    roles: z.array(nonEmpty).optional(),
    role: nonEmpty.optional(),
  })
  .refine((u) => !(u.roles && u.role), { message: 'use either roles or role, not both' });

const initialRole = z.object({ user: nonEmpty, role: nonEmpty, resource: z.string().optional() });

const initialPolicy = z
  .array(nonEmpty)
  .length(3, { message: 'must be [role, resource, action]' })
  .transform((p) => p as [string, string, string]);

export const authSchema = z.object({
  policy: z
    .object({
      provider: z.enum(['casbin', 'oso']).optional(),
      required: z.boolean().optional(),
      allow_anonymous: z.boolean().optional(),
      authorization: z
        .object({
          model: z.string().optional(),
          policies_collection: z
            .string()
            .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { message: 'must be a plain collection name' })
            .optional(),
          link_users_roles: z.boolean().optional(),
          default_roles: z.array(nonEmpty).optional(),
          initial_roles: z.array(initialRole).optional(),
          initial_policies: z.array(initialPolicy).optional(),
          policy_file: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  users: z
    .object({
      enabled: z.boolean().optional(),
      strategy: z.string().optional(),
      allow_registration: z.boolean().optional(),
      demo_users: z.array(demoUser).optional(),
      require_email_verification: z.boolean().optional(),
    })
    .optional(),
  email: z
    .object({
      smtp_url: z.url({ protocol: /^smtps?$/, message: 'must be an smtp:// or smtps:// URL' }).optional(),
      from: nonEmpty.optional(),
      verify_url: z.string().includes('{token}', { message: 'must contain {token}' }).optional(),
      reset_url: z.string().includes('{token}', { message: 'must contain {token}' }).optional(),
      verify_ttl: seconds(60).optional(),
      reset_ttl: seconds(60).optional(),
    })
    .optional(),
  mfa: z
    .object({
      enabled: z.boolean().optional(),
      issuer: nonEmpty.optional(),
      required_roles: z.array(nonEmpty).optional(),
    })
    .optional(),
  tokens: z
    .object({
      access_ttl: seconds().optional(),
      refresh_ttl: seconds().optional(),
      refresh_grace_seconds: z.number().int().min(0).max(60).optional(),
      algorithm: z.enum(ALGORITHMS).optional(),
      issuer: nonEmpty.optional(),
    })
    .optional(),
  sessions: z
    .object({
      max_per_user: z.number().int().min(1).max(1000).optional(),
      inactivity_timeout: seconds().optional(),
    })
    .optional(),
  cookies: z
    .object({
      enabled: z.boolean().optional(),
      same_site: sameSite.optional(),
      secure: z.boolean().optional(),
      allowed_origins: z.array(z.url()).optional(),
    })
    .optional(),
  rate_limits: z
    .object({
      login: limitSchema.extend({ max_lockout_seconds: seconds().optional() }).optional(),
      login_ip: limitSchema.optional(),
      register: limitSchema.optional(),
      anonymous: limitSchema.optional(),
      password_reset: limitSchema.optional(),
      password_reset_ip: limitSchema.optional(),
    })
    .optional(),
  audit: z.object({ retention_days: z.number().int().min(1).optional() }).optional(),
});

export const downstreamSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, { message: 'must start with a letter; letters, digits, _ or -' }),
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  /** The apps whose requests may reach it; absent: every app. */
  apps: z.array(z.string()).min(1).optional(),
});

/** Every `downstream[].apps` entry names an app of the manifest. */
function knownDownstreamApps(
  m: { downstream?: RawDownstream[] | undefined },
  slugs: Set<string>,
  ctx: z.RefinementCtx,
  path: (string | number)[] = [],
) {
  m.downstream?.forEach((d, i) => {
    d.apps?.forEach((slug, j) => {
      if (!slugs.has(slug))
        ctx.addIssue({ code: 'custom', path: [...path, 'downstream', i, 'apps', j], message: `unknown app "${slug}"` });
    });
  });
}

export const appSchema = z.object({
  slug: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'must be lower-case letters, digits, _ or -' }),
  name: z.string().optional(),
  auth: authSchema.optional(),
  downstream: z.array(downstreamSchema).optional(),
});

const serverSchema = z.object({
  graphql: z
    .object({
      max_depth: z.number().int().min(1).optional(),
      max_aliases: z.number().int().min(1).optional(),
      max_tokens: z.number().int().min(10).optional(),
      max_cost: z.number().int().min(1).optional(),
      max_batch: z.number().int().min(0).optional(),
      max_body_bytes: z.number().int().min(1024).optional(),
      max_entities: z.number().int().min(1).optional(),
      introspection: z.boolean().optional(),
    })
    .optional(),
  http: z
    .object({
      cors_origins: z.array(z.url()).optional(),
      trusted_proxies: z.array(nonEmpty).optional(),
    })
    .optional(),
  revocation: z
    .object({
      poll_ms: z.number().int().min(50).max(10_000).optional(),
      stale_after_ms: z.number().int().min(1000).optional(),
    })
    .optional(),
  downstream: z.array(downstreamSchema).optional(),
});

export const multiAppSchema = serverSchema
  .extend({ apps: z.array(appSchema).min(1, { message: 'needs at least one app' }) })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.apps.forEach((a, i) => {
      if (seen.has(a.slug))
        ctx.addIssue({ code: 'custom', path: ['apps', i, 'slug'], message: `duplicate slug "${a.slug}"` });
      seen.add(a.slug);
    });
    knownDownstreamApps(m, seen, ctx);
    m.apps.forEach((a, i) => {
      knownDownstreamApps(a, seen, ctx, ['apps', i]);
    });
  });
export const singleAppSchema = serverSchema
  .extend(appSchema.shape)
  .superRefine((m, ctx) => knownDownstreamApps(m, new Set([m.slug]), ctx));

export type RawManifest = z.infer<typeof multiAppSchema> | z.infer<typeof singleAppSchema>;
export type RawApp = z.infer<typeof appSchema>;
export type RawServer = z.infer<typeof serverSchema>;
export type RawDownstream = z.infer<typeof downstreamSchema>;
