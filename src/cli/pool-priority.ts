import { pbkdf2 } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Niceness given to libuv's pool threads by default (POOL_NICE; 0 leaves them as they are). */
export const DEFAULT_POOL_NICE = 10;

/**
 * Lowers the scheduling priority of libuv's thread-pool threads (Linux; elsewhere nothing), so
 * a login burst's argon2id hashes (≈ 50 ms of CPU each, three at a time) yield the core to the
 * event loop whenever it has a request to run: an authenticated query waits for no hash. The
 * pool is otherwise busy only when the event loop is not (token verification runs on the main
 * thread, see tokens/local-verify.ts), so on an idle core logins run as fast as before.
 * Raising niceness needs no privilege. Returns how many threads were changed.
 */
export async function deprioritizeThreadPool(niceness = DEFAULT_POOL_NICE): Promise<number> {
  if (process.platform !== 'linux' || niceness <= 0) return 0;
  // libuv starts all its threads on the first job it is given
  await new Promise((resolve) => pbkdf2('', '', 1, 1, 'sha256', resolve));
  let changed = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== 'libuv-worker') continue;
      setPriority(Number(tid), niceness);
      changed++;
    } catch {
      // a thread that ended meanwhile, or a kernel without per-thread nice: nothing to do
    }
  }
  return changed;
}

/** POOL_NICE from the environment: 0–19, default 10. */
export function poolNice(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.POOL_NICE;
  if (raw === undefined || raw === '') return DEFAULT_POOL_NICE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 19) throw new Error(`POOL_NICE must be an integer 0–19, got "${raw}"`);
  return n;
}
