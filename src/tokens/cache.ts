import { LRUCache } from 'lru-cache';
import { notExpired } from './access-token.js';
import type { VerifiedToken } from './types.js';

/**
 * Verified access tokens by their exact string, so a token seen again costs a map lookup instead
 * of a signature check. Expiry is checked against the injected clock on every hit rather than
 * with lru-cache's TTL (which runs on real time and arms a timer per read); the LRU bound caps memory.
 */
export class VerifiedTokenCache {
  readonly #lru: LRUCache<string, VerifiedToken>;

  constructor(max: number) {
    this.#lru = new LRUCache({ max });
  }

  /** The cached claims if `token` was verified for `app` and has not expired at `nowSec`. */
  get(token: string, app: string, nowSec: number): VerifiedToken | undefined {
    const hit = this.#lru.get(token);
    if (hit === undefined || hit.app !== app) return undefined;
    if (notExpired(hit.expiresAt, nowSec)) return hit;
    this.#lru.delete(token);
    return undefined;
  }

  set(token: string, verified: VerifiedToken): void {
    this.#lru.set(token, verified);
  }

  clear(): void {
    this.#lru.clear();
  }
}
