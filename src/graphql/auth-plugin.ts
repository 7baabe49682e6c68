import { useGenericAuth, type ValidateUserFnParams } from '@envelop/generic-auth';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { readAuthCookies } from '../http/security/index.js';
import { inSpan, inSpanSync } from '../observability/index.js';
import type { VerifiedToken } from '../tokens/index.js';
import { meets, type Requirement, requirementOf } from '../vocabulary/index.js';
import type { GatehouseContext } from './context.js';
import type { ErrorCode } from './errors.js';
import { PUBLIC_ROOT_FIELDS } from './public-fields.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/i;

/** The access token a request presents: the Bearer header, else (cookie mode) the gh_access cookie. */
export async function presentedToken(ctx: Pick<GatehouseContext, 'request' | 'app'>): Promise<string | undefined> {
  const header = ctx.request.headers.get('authorization');
  if (header !== null) return BEARER.exec(header)?.[1];
  return ctx.app.cookies.enabled ? (await readAuthCookies(ctx.request, ctx.app)).access : undefined;
}

/**
 * Who is calling: a Bearer token, else (cookie mode) the gh_access cookie — the CSRF guard has
 * already refused cookie requests without a matching X-CSRF-Token. Any invalid, expired or
 * revoked token means nobody (fail closed).
 */
export async function resolveCaller(ctx: GatehouseContext): Promise<VerifiedToken | null> {
  const { services, app } = ctx;
  const token = await presentedToken(ctx);
  if (!token) return null;
  const verified = await inSpan('auth.verify', async (span) => {
    const v = await services.tokens.verify(token, app);
    if (span.isRecording()) span.setAttribute('gatehouse.token.valid', v !== null);
    return v;
  });
  if (!verified) return null;
  const revoked = inSpanSync('auth.revocation', (span) => {
    const r = services.revocations.isRevoked(verified.sessionId);
    if (span.isRecording()) span.setAttribute('gatehouse.session.revoked', r);
    return r;
  });
  if (revoked) return null;
  // Read-your-writes across instances: a token minted moments ago elsewhere (registration's default
  // roles, a grant) can name roles this instance has not loaded yet. Only when they disagree, make
  // sure the policy includes everything written before the token was issued (iat is in whole
  // seconds, so up to its end); once caught up, a remaining difference is a real later change.
  const authz = services.authz(verified.app);
  if (!sameRoles(verified.roles, authz.rolesFor(verified.app, verified.userId)))
    await authz.catchUp((verified.issuedAt + 1) * 1000);
  const required = app.mfa.enabled ? app.mfa.requiredRoles : [];
  if (required.some((r) => authz.hasRole(app.slug, verified.userId, r)))
    ctx.mfaEnrollmentRequired = !(await services.account.totpEnabled(app, verified.userId));
  return verified;
}

/** What a caller who must enrol in TOTP may still do. */
const OPEN_DURING_ENROLMENT = new Set([
  'Mutation.enrollTotp',
  'Mutation.confirmTotp',
  'Mutation.logout',
  'Mutation.refresh',
  'Mutation.login',
]);

function sameRoles(claimed: readonly string[], live: readonly string[]): boolean {
  return claimed.length === live.length && claimed.every((r) => live.includes(r));
}

const TOKEN_ONLY: Requirement = {
  authenticated: true,
  roleSets: [],
  permissions: [],
  scopeAlternatives: [],
  policyAlternatives: [],
};

function isRootField(p: ValidateUserFnParams<unknown>): boolean {
  const { schema } = p.executionArgs;
  return (
    p.parentType === schema.getQueryType() ||
    p.parentType === schema.getMutationType() ||
    p.parentType === schema.getSubscriptionType()
  );
}

function isUnlistedRootField(p: ValidateUserFnParams<unknown>): boolean {
  return isRootField(p) && !PUBLIC_ROOT_FIELDS.has(`${p.parentType.name}.${p.field.name}`);
}

const refuse = (p: ValidateUserFnParams<unknown>, code: ErrorCode, message: string, status?: number, reason?: string) =>
  createGraphQLError(message, {
    nodes: [p.fieldNode],
    path: p.path,
    extensions: { code, ...(reason ? { reason } : {}), ...(status ? { http: { status } } : {}) },
  });

/** generic-auth's synchronous per-field check: directive requirements against live roles and policy. */
export function validateField(p: ValidateUserFnParams<VerifiedToken | null | undefined>) {
  const ctx = p.executionArgs.contextValue as GatehouseContext;
  // Root fields decide: what is below an open root (the enrolment's own fields) is open too.
  if (
    ctx.mfaEnrollmentRequired &&
    p.user &&
    isRootField(p) &&
    !OPEN_DURING_ENROLMENT.has(`${p.parentType.name}.${p.field.name}`)
  )
    return refuse(p, 'FORBIDDEN', 'Set up two-factor authentication first', 403, 'MFA_ENROLLMENT_REQUIRED');
  let req = requirementOf(p.executionArgs.schema, p.parentType, p.field);
  // A downstream that serves only some apps: the others' requests never reach it, token or not.
  if (req.apps && !req.apps.includes(ctx.app.slug)) return refuse(p, 'FORBIDDEN', 'Not served for this app', 403);
  if (!req.authenticated) {
    // `policy.required` (mdb-engine): the app's root fields need a token unless reviewed as public.
    if (!ctx.app.policy.required || !isUnlistedRootField(p)) return undefined;
    req = TOKEN_ONLY;
  }
  // Without a fresh revocation feed we cannot know that a token is still good.
  if (!ctx.services.revocations.isFresh())
    return refuse(p, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable', 503);
  const user = p.user;
  if (!user) return refuse(p, 'UNAUTHENTICATED', 'Authentication required', 401);
  const authz = ctx.services.authz(user.app);
  const allowed = meets(req, {
    can: (resource, action) => authz.can(user.app, user.userId, resource, action),
    hasRole: (role) => authz.hasRole(user.app, user.userId, role),
  });
  if (!allowed) return refuse(p, 'FORBIDDEN', 'Forbidden', 403);
  return undefined;
}

/** Enforces @auth / @permission (and the Federation @authenticated / @requiresScopes / @policy) before execution. */
export function useGatehouseAuth(): Plugin<GatehouseContext> {
  return useGenericAuth<VerifiedToken, GatehouseContext>({
    mode: 'protect-granular',
    authDirectiveName: 'auth',
    resolveUserFn: resolveCaller,
    validateUser: validateField as (p: ValidateUserFnParams<VerifiedToken>) => ReturnType<typeof validateField>,
  }) as unknown as Plugin<GatehouseContext>;
}
