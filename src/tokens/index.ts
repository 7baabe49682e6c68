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
export { createSealer, type Sealed, type Sealer } from './sealing.js';
export { createTokenService, type TokenServiceOptions, type TokenSettings } from './service.js';
export type { AccessClaims, IssuedToken, KeyInfo, TokenService, VerifiedToken } from './types.js';
