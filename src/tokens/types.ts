import type { AppConfig, SigningAlgorithm } from '../config/index.js';

/** Claims Gatehouse puts in every access token (docs/contract.md: access tokens). */
export interface AccessClaims {
  iss: string;
  aud: string;
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  roles: string[];
}

/** A verified access token, as the rest of Gatehouse sees it. */
export interface VerifiedToken {
  userId: string;
  app: string;
  sessionId: string;
  tokenId: string;
  roles: string[];
  issuedAt: number;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface IssuedToken {
  token: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** Seconds from now. */
  expiresIn: number;
  tokenId: string;
}

export interface KeyInfo {
  kid: string;
  alg: SigningAlgorithm;
  state: 'active' | 'retiring';
  createdAt: Date;
  /** When a retiring key stops being published (its last token has expired). */
  retireAt: Date | null;
}

export interface TokenService {
  /** Loads keys (creating one per algorithm in use when none exists) and starts the key-refresh timer. */
  start(): Promise<void>;
  stop(): void;
  issue(app: AppConfig, subject: { userId: string; sessionId: string; roles: string[] }): Promise<IssuedToken>;
  /**
   * Verifies signature, algorithm allow-list, iss, aud = app.slug, typ at+jwt, required claims, exp (≤ 5 s leeway).
   * Resolves null for any invalid token (fail closed). Verified tokens are cached by their exact string until exp.
   */
  verify(token: string, app: AppConfig): Promise<VerifiedToken | null>;
  /** The public JWKS: active and retiring keys (HS256 keys are never published). */
  jwks(): { keys: Record<string, unknown>[] };
  /** Makes a new active key for `alg` (default: every algorithm in use); old keys retire once their tokens expire. */
  rotate(alg?: SigningAlgorithm): Promise<KeyInfo[]>;
  list(): Promise<KeyInfo[]>;
}
