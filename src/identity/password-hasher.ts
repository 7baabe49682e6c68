import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { Semaphore, type SemaphoreOptions } from './semaphore.js';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP Password Storage floor for argon2id: 19 MiB, 2 iterations, 1 lane (≈ 50 ms here). */
export const ARGON2_PARAMS: Readonly<Argon2Params> = Object.freeze({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });

/**
 * argon2 runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which
 * WebCrypto and fs share: leave one thread for them.
 */
const defaultConcurrency = () => Math.max(1, (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 1);

export interface PasswordHasherOptions extends Partial<SemaphoreOptions> {
  /** Current parameters; anything below ARGON2_PARAMS is for tests only. */
  params?: Argon2Params;
}

export interface HasherStats {
  hashes: number;
  verifies: number;
  /** Verifications against the dummy hash (unknown account, no password). */
  dummyVerifies: number;
}

export interface PasswordHasher {
  readonly params: Readonly<Argon2Params>;
  hash(password: string): Promise<string>;
  /** False for a wrong password or a malformed stored hash. */
  verify(hash: string, password: string): Promise<boolean>;
  /** The same work as `verify`, against a valid hash of a random password: always false. */
  verifyDummy(password: string): Promise<false>;
  needsRehash(hash: string): boolean;
  /** Counts of argon2 calls made (tests prove that refused input never reaches argon2). */
  stats(): HasherStats;
}

/** argon2id hashing behind a semaphore: a burst of logins queues instead of exhausting memory and threads. */
export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const params = Object.freeze({ ...(options.params ?? ARGON2_PARAMS) });
  const gate = new Semaphore({
    concurrency: options.concurrency ?? defaultConcurrency(),
    maxWaitMs: options.maxWaitMs ?? 2000,
    maxQueue: options.maxQueue ?? 256,
  });
  const stats: HasherStats = { hashes: 0, verifies: 0, dummyVerifies: 0 };
  const hash = (password: string) =>
    gate.run(() => {
      stats.hashes++;
      return argon2.hash(password, { type: argon2.argon2id, ...params });
    });
  const verify = (digest: string, password: string) =>
    gate.run(async () => {
      stats.verifies++;
      try {
        return await argon2.verify(digest, password);
      } catch {
        return false; // a malformed stored hash never authenticates anyone
      }
    });

  // Same parameters as real hashes, so a dummy check costs exactly what a real one does.
  let dummy: Promise<string> | undefined;
  const dummyHash = () => {
    dummy ??= hash(randomBytes(32).toString('base64url')).catch((err) => {
      dummy = undefined;
      throw err;
    });
    return dummy;
  };

  return {
    params,
    hash,
    verify,
    async verifyDummy(password) {
      const digest = await dummyHash();
      stats.dummyVerifies++;
      await verify(digest, password);
      return false;
    },
    needsRehash: (digest) => argon2.needsRehash(digest, params),
    stats: () => ({ ...stats }),
  };
}
