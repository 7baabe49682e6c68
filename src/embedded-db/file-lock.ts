// Hand-written, not proper-lockfile: a pid check takes over a dead holder's lock at once on one host, where proper-lockfile waits out an mtime staleness window and refreshes it on a timer.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from './process.js';

/**
 * Runs `fn` while holding a lock directory, so that parallel processes (test files, a second
 * `serve`) do not install the same binary twice. A lock whose holder has died is taken over.
 */
export async function withFileLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(await readFile(join(lockDir, 'pid'), 'utf8').catch(() => 'NaN'));
      // No pid yet means the holder is between mkdir and writeFile: wait, unless that lasts.
      if (Number.isInteger(holder) && !processAlive(holder)) await rm(lockDir, { recursive: true, force: true });
      else await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
