/**
 * Token lifecycle for client code: small pure functions over an access token's claims (`exp`, and
 * `iat` where an age is asked). `now` is milliseconds since the epoch or a Date, so a client that
 * measured its offset from the server (`Query.serverTime`) can pass corrected time.
 * Decode the claims with `decodeJwt` from jose (no verification needed to read your own token).
 */
export interface LifetimeClaims {
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issue time, seconds since the epoch. */
  iat?: number;
}

export type Now = number | Date;

const seconds = (now: Now | undefined) => (now === undefined ? Date.now() : +now) / 1000;

/** When the token expires. */
export const expiresAt = (claims: LifetimeClaims): Date => new Date(claims.exp * 1000);

/** Seconds left before expiry; 0 once expired. */
export const timeUntilExpiry = (claims: LifetimeClaims, now?: Now): number => Math.max(0, claims.exp - seconds(now));

/** Seconds since the token was issued (0 without `iat`, or for a clock behind the issuer's). */
export const age = (claims: LifetimeClaims, now?: Now): number =>
  claims.iat === undefined ? 0 : Math.max(0, seconds(now) - claims.iat);

export const isExpired = (claims: LifetimeClaims, now?: Now): boolean => seconds(now) >= claims.exp;

/** True when at most `thresholdSeconds` are left (an expired token is expiring soon too). */
export const isExpiringSoon = (claims: LifetimeClaims, thresholdSeconds: number, now?: Now): boolean =>
  claims.exp - seconds(now) <= thresholdSeconds;

export interface RefreshPolicy {
  /** Refresh once this much of the lifetime has passed (default 0.8). Needs `iat`. */
  fraction?: number;
  /** …or once at most this many seconds are left (default 60), whichever comes first. */
  thresholdSeconds?: number;
}

/**
 * Whether a client should refresh now: past `fraction` of the token's lifetime, or within
 * `thresholdSeconds` of expiry, or expired. Refreshing early spreads refreshes out and leaves room
 * for a retry before the token dies.
 */
export function shouldRefresh(claims: LifetimeClaims, policy: RefreshPolicy = {}, now?: Now): boolean {
  if (isExpiringSoon(claims, policy.thresholdSeconds ?? 60, now)) return true;
  if (claims.iat === undefined) return false;
  const lifetime = claims.exp - claims.iat;
  return lifetime > 0 && age(claims, now) >= lifetime * (policy.fraction ?? 0.8);
}
