export {
  assertOurHeader,
  CLOCK_TOLERANCE_S,
  MAX_TOKEN_LENGTH,
  REQUIRED_CLAIMS,
  TOKEN_TYPE,
  type VerifyPlan,
  verifyAccessToken,
} from './access-token.js';
export { VerifiedTokenCache } from './cache.js';
export { createTokenService, type TokenServiceOptions } from './service.js';
export type { AccessClaims, IssuedToken, KeyInfo, TokenService, VerifiedToken } from './types.js';
