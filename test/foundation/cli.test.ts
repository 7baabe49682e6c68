import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { findPostgres } from '../../src/embedded-db/index.js';
import { projectRoot } from '../../src/paths.js';

const run = promisify(execFile);
const bin = join(projectRoot(), 'bin', 'gatehouse');

/** Resolves with the first stdout line matching `re`, or rejects with what the process said. */
function waitForLine(child: ChildProcess, re: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${re} within ${timeoutMs} ms; stdout=${out} stderr=${err}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (d) => {
      out += d;
      const m = out.split('\n').find((l) => re.test(l));
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}; stdout=${out} stderr=${err}`));
    });
  });
}

describe('gatehouse CLI', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('validate: exit 0 on a valid manifest', async () => {
    const { stdout } = await run(bin, ['validate', join(projectRoot(), 'manifest.example.json')]);
    assert.match(stdout, /valid/);
  });

  it('validate: one line per mistake on stderr, each naming its JSON path, exit 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gh-cli-'));
    dirs.push(dir);
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        apps: [
          { slug: 'a', auth: { tokens: { access_ttl: 'soon', algorithm: 'none' }, sessions: { max_per_user: 0 } } },
        ],
      }),
    );
    const res = await run(bin, ['validate', file]).then(
      () => assert.fail('validate should exit 1'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(res.code, 1);
    const lines = res.stderr.trim().split('\n');
    assert.equal(lines.length, 3, res.stderr);
    assert.deepEqual(lines.map((l) => l.split(':')[0]).sort(), [
      'apps[0].auth.sessions.max_per_user',
      'apps[0].auth.tokens.access_ttl',
      'apps[0].auth.tokens.algorithm',
    ]);
  });

  it('schema: prints exactly schema.graphql', async () => {
    const { stdout } = await run(bin, ['schema']);
    assert.equal(stdout, await readFile(join(projectRoot(), 'schema.graphql'), 'utf8'));
  });

  it('--help lists the commands', async () => {
    const { stdout } = await run(bin, ['--help']);
    for (const c of ['serve', 'validate', 'schema']) assert.match(stdout, new RegExp(`\\b${c}\\b`));
  });

  it('serve: starts with its embedded database, prints the listening line, stops cleanly on SIGTERM', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'gh-serve-'));
    dirs.push(cwd);
    // A project directory is 0755, mkdtemp's 0700: as root the embedded PostgreSQL runs as nobody, which must get in.
    await chmod(cwd, 0o755);
    const env = { ...process.env, PORT: '0', LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv;
    delete env.MONGODB_URI;
    const child = spawn(bin, ['serve', '--manifest', join(projectRoot(), 'manifest.example.json')], { cwd, env });
    const line = await waitForLine(child, /listening on http:\/\/127\.0\.0\.1:\d+\/graphql/, 60_000);
    const url = line.slice(line.indexOf('http'));
    const res = await fetch(new URL('/readyz', url));
    assert.equal(res.status, 200);
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    // a development secret was generated once and kept under ./.gatehouse/
    const secret = await readFile(join(cwd, '.gatehouse', 'secret'), 'utf8');
    assert.ok(secret.trim().length >= 32);
    // and the embedded backend it chose is recorded, so the next start keeps the same data
    const backend = (await readFile(join(cwd, '.gatehouse', 'db', 'backend'), 'utf8')).trim();
    const expected = process.env.GATEHOUSE_EMBEDDED_DB || ((await findPostgres()) ? 'postgresql' : 'sqlite');
    assert.equal(backend, expected);
  });

  it('serve: refuses to start in production without a strong secret', async () => {
    const env = { ...process.env, NODE_ENV: 'production', GATEHOUSE_SECRET: 'short' } as NodeJS.ProcessEnv;
    const res = await run(bin, ['serve', '--manifest', join(projectRoot(), 'manifest.example.json')], { env }).then(
      () => assert.fail('should not start'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(res.code, 1);
    assert.match(res.stderr, /GATEHOUSE_SECRET/);
  });
});
