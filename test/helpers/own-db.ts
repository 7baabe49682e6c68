import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFerretDB, FerretDBProcess, freePort } from '../../src/embedded-db/index.js';
import { localBinDir } from '../../src/paths.js';

/** A FerretDB of the suite's own, for tests that stop, restart or pause the database. */
export async function startOwnFerretDB(): Promise<FerretDBProcess & { dispose(): Promise<void> }> {
  const bin = await ensureFerretDB(localBinDir());
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-own-db-'));
  const proc = new FerretDBProcess({ bin, port: await freePort(), dir });
  await proc.start();
  return Object.assign(proc, {
    async dispose() {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  });
}
