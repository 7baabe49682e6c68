export { createTokenService, type TokenServiceOptions } from './service.js';
export type { AccessClaims, IssuedToken, KeyInfo, TokenService, VerifiedToken } from './types.js';
