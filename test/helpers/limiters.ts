import { createRateLimiter, type RateLimiter } from '../../src/ratelimit/index.js';
import { coreDeps, type TestDeps } from './deps.js';
import { FrozenClock } from './frozen-clock.js';

export interface SharedLimiters {
  deps: TestDeps[];
  limiters: RateLimiter[];
  /** Stops the limiters, drops their database, closes the clients. */
  close(): Promise<void>;
}

/**
 * `count` rate limiters as `count` instances would run them: one database, one FrozenClock shared
 * by all, so moving time moves every instance.
 */
export async function limitersOnOneDatabase(manifest: unknown, count = 3): Promise<SharedLimiters> {
  const first = await coreDeps({ manifest, clock: new FrozenClock() });
  const deps = [first];
  for (let i = 1; i < count; i++) deps.push(await coreDeps({ manifest, dbName: first.dbName, clock: first.clock }));
  const limiters = deps.map((d) => createRateLimiter(d));
  await Promise.all(limiters.map((l) => l.start()));
  return {
    deps,
    limiters,
    async close() {
      for (const l of limiters) l.stop();
      await first.database.db.dropDatabase();
      await Promise.all(deps.map((d) => d.close()));
    },
  };
}
