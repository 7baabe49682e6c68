/**
 * The one enforcement core of Gatehouse's own server (src/graphql/auth-cache.ts) and of the
 * library's useGatehouse: bearer extraction, refusals, the per-document plan and what it needs,
 * the engine that resolves the caller and checks a plan (reporting refusals as
 * @envelop/generic-auth does, without loading it), and token verification on src/tokens.
 * Imports only src/vocabulary, src/tokens and src/clock.ts: the field checks themselves (the
 * server's live policy, the library's decisions) are handed in.
 */
export { bearerToken, requestBearer } from './bearer.js';
export {
  type Checked,
  type EnforcementOptions,
  type FieldCheck,
  useEnforcement,
} from './engine.js';
export { type Needs, needsOf, needsOfPlan, type Permission } from './needs.js';
export { type Plan, type PlannedCheck, planFor } from './plan.js';
export {
  FORBIDDEN,
  type Refusal,
  type RefusalCode,
  refusal,
  refusalError,
  SERVICE_UNAVAILABLE,
  UNAUTHENTICATED,
} from './refusal.js';
export type { ExecutionArgsLike } from './rule.js';
export {
  createTokenVerifier,
  type KeySource,
  type PublicAlgorithm,
  type TokenVerifier,
  type VerifierOptions,
} from './verify.js';
