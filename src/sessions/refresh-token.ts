import { createHash, createHmac, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: what every refresh token (and every successor) looks like. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** How many rotations back a presented token is still recognised (and so reported as theft). */
export const CHAIN_DEPTH = 20;

export const newRefreshToken = () => randomBytes(32).toString('base64url');

/** Session ids: 128 random bits. */
export const newSessionId = () => randomBytes(16).toString('base64url');

/** The only form in which a refresh token is stored. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A cheap check before any hashing or database work: anything else is unknown at once. */
export const isWellFormedToken = (token: unknown): token is string =>
  typeof token === 'string' && TOKEN_SHAPE.test(token);

export interface SuccessorChain {
  /** The token that replaces `token` at its rotation: HMAC(k, token), so no plaintext is stored. */
  successor(token: string): string;
  /**
   * sha256 of `token` and of its next `depth` successors: position k is the hash the session
   * stores after k rotations past `token`.
   */
  hashes(token: string, depth?: number): string[];
}

/**
 * Successors are derived, not stored: every caller presenting the same token inside the grace
 * window recomputes the same successor, and a token k rotations old is recognised by walking the
 * chain forward — so the database keeps hashes only. `key`: `KEY_PURPOSES.refreshSuccessor` derived
 * from GATEHOUSE_SECRET (src/core).
 */
export function successorChain(key: Buffer): SuccessorChain {
  const successor = (token: string) => createHmac('sha256', key).update(token).digest('base64url');
  return {
    successor,
    hashes(token, depth = CHAIN_DEPTH) {
      const out = [hashToken(token)];
      let t = token;
      for (let k = 1; k <= depth; k++) {
        t = successor(t);
        out.push(hashToken(t));
      }
      return out;
    },
  };
}
