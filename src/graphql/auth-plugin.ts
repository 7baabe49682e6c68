import { useGenericAuth, type ValidateUserFnParams } from '@envelop/generic-auth';
import type { GraphQLField, GraphQLInterfaceType, GraphQLObjectType } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import {
  type Checked,
  type EnforcementOptions,
  FORBIDDEN,
  type Refusal,
  refusal,
  refusalError,
  SERVICE_UNAVAILABLE,
  UNAUTHENTICATED,
} from '../enforcement/index.js';
import { inSpan, inSpanSync } from '../observability/index.js';
import type { VerifiedToken } from '../tokens/index.js';
import { meets, type Requirement, requirementOf } from '../vocabulary/index.js';
import { type GatehouseContext, presentedToken } from './context.js';
import { PUBLIC_ROOT_FIELDS } from './public-fields.js';

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

const ENROL_FIRST = refusal('FORBIDDEN', 'Set up two-factor authentication first', 'MFA_ENROLLMENT_REQUIRED');
const NOT_SERVED = refusal('FORBIDDEN', 'Not served for this app');

type Parent = GraphQLObjectType | GraphQLInterfaceType;
type On = Checked<VerifiedToken, GatehouseContext>;

function isRootField({ schema }: On, parentType: Parent): boolean {
  return (
    parentType === schema.getQueryType() ||
    parentType === schema.getMutationType() ||
    parentType === schema.getSubscriptionType()
  );
}

/**
 * Gatehouse's check of one field: directive requirements against live roles and policy, plus the
 * server's own rules (MFA enrolment, served apps, `policy.required`, the revocation feed's freshness).
 */
export function validateField(on: On, parentType: Parent, field: GraphQLField<unknown, unknown>): Refusal | undefined {
  const ctx = on.context;
  const user = on.user;
  // Root fields decide: what is below an open root (the enrolment's own fields) is open too.
  if (
    ctx.mfaEnrollmentRequired &&
    user &&
    isRootField(on, parentType) &&
    !OPEN_DURING_ENROLMENT.has(`${parentType.name}.${field.name}`)
  )
    return ENROL_FIRST;
  let req = requirementOf(on.schema, parentType, field);
  // A downstream that serves only some apps: the others' requests never reach it, token or not.
  if (req.apps && !req.apps.includes(ctx.app.slug)) return NOT_SERVED;
  if (!req.authenticated) {
    // `policy.required` (mdb-engine): the app's root fields need a token unless reviewed as public.
    if (
      !ctx.app.policy.required ||
      !isRootField(on, parentType) ||
      PUBLIC_ROOT_FIELDS.has(`${parentType.name}.${field.name}`)
    )
      return undefined;
    req = TOKEN_ONLY;
  }
  // Without a fresh revocation feed we cannot know that a token is still good.
  if (!ctx.services.revocations.isFresh()) return SERVICE_UNAVAILABLE;
  if (!user) return UNAUTHENTICATED;
  const authz = ctx.services.authz(user.app);
  const allowed = meets(req, {
    can: (resource, action) => authz.can(user.app, user.userId, resource, action),
    hasRole: (role) => authz.hasRole(user.app, user.userId, role),
  });
  return allowed ? undefined : FORBIDDEN;
}

/** The server's strategy for the enforcement core: its caller and its field check. */
export const gatehouseEnforcement: EnforcementOptions<VerifiedToken, GatehouseContext> = {
  resolveUser: resolveCaller,
  check: validateField,
};

/**
 * Enforces @auth / @permission (and the Federation @authenticated / @requiresScopes / @policy)
 * before execution with @envelop/generic-auth itself, configured through its public options:
 * its rule walks the whole document on every request. The reference the enforcement core is
 * tested against (test/bench-support/auth-cache.test.ts) and the benchmarks' baseline;
 * `gatehouse serve` runs useCachedGatehouseAuth, which answers the same.
 */
export function useGatehouseAuth(): Plugin<GatehouseContext> {
  const validateUser = (p: ValidateUserFnParams<VerifiedToken | null | undefined>) => {
    const on = {
      schema: p.executionArgs.schema,
      context: p.executionArgs.contextValue as GatehouseContext,
      user: p.user ?? null,
    };
    const r = validateField(on, p.parentType, p.field);
    return r && refusalError(r, p.fieldNode, p.path);
  };
  return useGenericAuth<VerifiedToken, GatehouseContext>({
    mode: 'protect-granular',
    authDirectiveName: 'auth',
    resolveUserFn: resolveCaller,
    validateUser: validateUser as (p: ValidateUserFnParams<VerifiedToken>) => ReturnType<typeof validateUser>,
  }) as unknown as Plugin<GatehouseContext>;
}
