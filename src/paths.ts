import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The package root (where package.json of `gatehouse` lives), whether running from src/ or dist/. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'gatehouse') {
      cached = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the gatehouse package root');
    dir = up;
  }
}

/** Where FerretDB is installed: shared by `serve`, tests and benchmarks of one checkout. */
export const localBinDir = () => join(projectRoot(), '.gatehouse', 'bin');
