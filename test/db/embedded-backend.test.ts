import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { chooseBackend, findPostgres } from '../../src/embedded-db/index.js';

const pg = await findPostgres();

describe('embedded backend choice', () => {
  const dirs: string[] = [];
  const fresh = async () => {
    const d = await mkdtemp(join(tmpdir(), 'gh-backend-'));
    dirs.push(d);
    return d;
  };
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('a new data directory gets PostgreSQL when it is installed, else SQLite', async () => {
    const choice = await chooseBackend(await fresh(), { PATH: process.env.PATH });
    assert.equal(choice.backend, pg ? 'postgresql' : 'sqlite');
    assert.equal(choice.forced, false);
    if (pg) assert.equal(choice.bins?.binDir, pg.binDir);
  });

  it('GATEHOUSE_EMBEDDED_DB forces one, in any case; anything else is a one-line error', async () => {
    const dir = await fresh();
    assert.deepEqual(await chooseBackend(dir, { GATEHOUSE_EMBEDDED_DB: 'SQLite' }), {
      backend: 'sqlite',
      forced: true,
      kept: undefined,
    });
    await assert.rejects(
      chooseBackend(dir, { GATEHOUSE_EMBEDDED_DB: 'mysql' }),
      /must be sqlite or postgresql, not "mysql"/,
    );
  });

  it('a data directory keeps its backend: its backend file, or SQLite files from before that file', async () => {
    const marked = await fresh();
    await writeFile(join(marked, 'backend'), 'sqlite\n');
    assert.equal((await chooseBackend(marked, { PATH: process.env.PATH })).backend, 'sqlite');

    const legacy = await fresh();
    await mkdir(join(legacy, 'ferretdb', 'data'), { recursive: true });
    await writeFile(join(legacy, 'ferretdb', 'data', 'gatehouse.sqlite'), '');
    const choice = await chooseBackend(legacy, { PATH: process.env.PATH });
    assert.equal(choice.backend, 'sqlite');
    assert.equal(choice.kept, 'sqlite');
  });
});
