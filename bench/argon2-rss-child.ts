/**
 * RSS an instance keeps after a burst of password checks: argon2id at Gatehouse's parameters
 * (19 MiB each) on libuv's threads, three at once as the hasher allows. Prints one JSON line.
 * Run with and without MALLOC_ARENA_MAX to see glibc's per-thread arenas keep each thread's peak.
 */
import argon2 from 'argon2';
import { ARGON2_PARAMS } from '../src/identity/password-hasher.js';

const MB = 1024 * 1024;
const before = process.memoryUsage().rss;
const hash = await argon2.hash('bench-password', { type: argon2.argon2id, ...ARGON2_PARAMS });
for (let round = 0; round < 3; round++) {
  await Promise.all([0, 1, 2].map(() => argon2.verify(hash, 'bench-password')));
}
(globalThis as { gc?: () => void }).gc?.();
process.stdout.write(`${JSON.stringify({ retainedMb: (process.memoryUsage().rss - before) / MB })}\n`);
