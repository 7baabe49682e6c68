import { LRUCache } from 'lru-cache';

/**
 * Where a service remembers the gateway nonces it has accepted. `seen` records the nonce and says
 * whether it was already there, for `ttlMs` at least (after that its timestamp is out of the
 * window anyway). One store per process is enough for one instance; several instances of a
 * service need a shared one (e.g. Redis `SET nonce 1 NX PX ttlMs`, seen = the SET did not happen).
 */
export interface NonceStore {
  seen(nonce: string, ttlMs: number): boolean | Promise<boolean>;
}

export interface MemoryNonceStoreOptions {
  /** Nonces kept at most (default 100 000: 10 000 signed calls a second over a 10 s window). */
  max?: number;
}

/**
 * The in-memory store: bounded, each nonce kept for its TTL. When it is full of nonces still
 * within their window it answers "seen" (the call is refused) rather than forget a live one,
 * which would make that call replayable.
 */
export function createNonceStore(opts: MemoryNonceStoreOptions = {}): NonceStore {
  const max = Math.max(1, Math.floor(opts.max ?? 100_000));
  const cache = new LRUCache<string, true>({ max, ttl: 20_000, ttlAutopurge: false });
  return {
    seen(nonce, ttlMs) {
      if (cache.has(nonce)) return true;
      if (cache.size >= max) {
        cache.purgeStale();
        if (cache.size >= max) return true;
      }
      cache.set(nonce, true, { ttl: Math.max(1, Math.ceil(ttlMs)) });
      return false;
    },
  };
}
