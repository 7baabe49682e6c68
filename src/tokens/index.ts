export { CLOCK_TOLERANCE_S, notExpired, TOKEN_TYPE, verifyAccessToken } from './access-token.js';
export { createSealer, type Sealed, type Sealer } from './sealing.js';
export { createTokenService, type TokenServiceOptions, type TokenSettings } from './service.js';
export type { AccessClaims, IssuedToken, KeyInfo, TokenService, VerifiedToken } from './types.js';
