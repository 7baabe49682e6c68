/**
 * The test entry point: starts one local database for the whole run (MONGODB_URI → mongod →
 * FerretDB on PostgreSQL where installed, else on SQLite), then runs every compiled `*.test.js` with Node's test runner against it.
 * Each suite uses its own database name, so suites never see each other's data.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { launchDatabase } from '../src/embedded-db/index.js';
import { projectRoot } from '../src/paths.js';

async function findTests(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.test.js'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const root = projectRoot();
const only = process.argv.slice(2);
const testDir = join(root, 'dist', 'test');
const files = only.length ? only : await findTests(testDir);
// The embedded backend is the launcher's choice: PostgreSQL where installed (the whole suite passes on
// it), else SQLite; GATEHOUSE_EMBEDDED_DB=sqlite runs the quick-start path on a machine that has both.
const db = await launchDatabase({ log: (m) => process.stderr.write(`[test db] ${m}\n`) });
const backend = db.backend ? ` (${db.backend})` : '';
process.stderr.write(`[test db] ${db.kind}${backend} at ${db.uri}; ${files.length} test files\n`);

const child = spawn(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=2',
    ...files.map((f) => relative(root, f)),
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      GATEHOUSE_NODE: process.execPath,
      MONGODB_URI: db.uri,
      GATEHOUSE_TEST_DB_KIND: db.kind,
      GATEHOUSE_TEST_DB_BACKEND: db.backend ?? '',
      NODE_ENV: 'test',
    },
  },
);
const stop = () => child.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const code: number = await new Promise((resolve) => child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
await db.stop();
process.exit(code);
