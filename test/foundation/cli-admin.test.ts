import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/paths.js';
import { freshDbName, mongoUri, TEST_SECRET } from '../helpers/gatehouse.js';

const run = promisify(execFile);
const bin = join(projectRoot(), 'bin', 'gatehouse');

/** Runs the CLI with `input` on standard input. */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
  input = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('admin commands of the CLI', () => {
  let dir = '';
  let env: NodeJS.ProcessEnv;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-admin-'));
    const manifest = join(dir, 'manifest.json');
    await writeFile(manifest, JSON.stringify({ slug: 'ops', auth: { users: { allow_registration: true } } }));
    env = {
      ...process.env,
      MONGODB_URI: mongoUri(),
      MONGODB_DB: freshDbName(),
      GATEHOUSE_MANIFEST: manifest,
      GATEHOUSE_SECRET: TEST_SECRET,
      LOG_LEVEL: 'error',
    };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('user create reads the password from stdin; role grant / revoke; errors go to stderr with exit 1', async () => {
    const created = await cli(
      ['user', 'create', '--app', 'ops', '--email', 'Ops@Example.test', '--role', 'admin'],
      env,
      'Lantern-Passphrase-Harbor-2024\n',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created user \S+ <ops@example\.test> in ops/);
    const weak = await cli(['user', 'create', '--app', 'ops', '--email', 'weak@example.test'], env, 'password\n');
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /password/i);
    const grant = await cli(['role', 'grant', '--app', 'ops', '--email', 'ops@example.test', '--role', 'auditor'], env);
    assert.equal(grant.code, 0, grant.stderr);
    assert.match(grant.stdout, /granted auditor/);
    const revoke = await cli(
      ['role', 'revoke', '--app', 'ops', '--email', 'ops@example.test', '--role', 'auditor'],
      env,
    );
    assert.equal(revoke.code, 0, revoke.stderr);
    const nobody = await cli(['role', 'grant', '--app', 'ops', '--email', 'nobody@example.test', '--role', 'x'], env);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no user/);
  });

  it('keys list / rotate / gateway', async () => {
    const before = await run(bin, ['keys', 'list'], { env });
    const kids = before.stdout.trim().split('\n');
    assert.ok(kids.length >= 1 && /\tEdDSA\tactive\t/.test(kids[0]!), before.stdout);
    const rotated = await run(bin, ['keys', 'rotate'], { env });
    assert.match(rotated.stdout, /\tEdDSA\tactive/);
    const after = await run(bin, ['keys', 'list'], { env });
    assert.match(after.stdout, /\tretiring\t/);
    const key = await run(bin, ['keys', 'gateway', 'orders'], { env });
    assert.match(key.stdout.trim(), /^[A-Za-z0-9_-]{40,}$/);
  });
});
