import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/db/index.js';
import {
  AddPolicyDocument,
  CanDocument,
  GrantRoleDocument,
  LogoutDocument,
  MeDocument,
  RefreshDocument,
} from '../generated/graphql.js';
import { freshDbName, mongoUri } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { loginUser, registerUser } from '../helpers/users.js';

const run = promisify(execFile);
const ADMIN = { email: 'ops@example.test', password: 'Ops-Passphrase-Meadow-2024' };

describe('serve --workers 2: identity and authorization through one port', () => {
  let child: ChildProcess;
  let url = '';
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gh-workers-'));
    await writeFile(
      join(dir, 'manifest.json'),
      JSON.stringify({
        slug: 'w',
        auth: {
          users: { allow_registration: true, demo_users: [{ ...ADMIN, roles: ['admin'] }] },
          policy: { authorization: { initial_policies: [['admin', '*', '*']] } },
          rate_limits: { login_ip: { max_attempts: 1000 } },
        },
      }),
    );
    child = spawn(
      join(projectRoot(), 'bin', 'gatehouse'),
      ['serve', '--workers', '2', '--port', '0', '--manifest', join(dir, 'manifest.json')],
      {
        cwd: dir,
        env: {
          ...process.env,
          MONGODB_URI: mongoUri(),
          MONGODB_DB: freshDbName(),
          LOG_LEVEL: 'warn',
          NODE_ENV: 'development',
        },
      },
    );
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 60_000);
      child.stdout?.on('data', (d) => {
        out += d;
        const m = /listening on (http:\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.stderr?.on('data', (d) => {
        out += d;
      });
      child.once('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
    });
  });
  after(async () => {
    if (child && child.exitCode === null) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('runs two worker processes behind the one port', async () => {
    const { stdout } = await run('pgrep', ['-P', String(child.pid)]);
    assert.equal(stdout.trim().split('\n').length, 2, 'the primary has two workers');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => fetch(new URL('/healthz', url), { headers: { connection: 'close' } })),
    );
    assert.ok(answers.every((a) => a.status === 200));
  });

  it('register, login, refresh, logout, and live authorization work across the workers', async () => {
    const u = await registerUser(url);
    const b = await loginUser(url, u.email, u.password, 'b');
    assert.equal((await gql(url, MeDocument, {}, { token: b.accessToken })).data?.me?.id, u.userId);
    const r = await gql(url, RefreshDocument, { refreshToken: b.refreshToken });
    assert.ok(r.data?.refresh.accessToken, JSON.stringify(r.errors));
    assert.equal((await gql(url, LogoutDocument, {}, { token: u.accessToken })).data?.logout, true);
    // whichever worker answers, the revoked token is refused within 2 s
    let refused = 0;
    for (let i = 0; i < 60 && refused < 6; i++) {
      refused =
        codeOf(await gql(url, MeDocument, {}, { token: u.accessToken, headers: { connection: 'close' } })) ===
        'UNAUTHENTICATED'
          ? refused + 1
          : 0;
      await sleep(50);
    }
    assert.ok(refused >= 6, 'every worker refuses the logged-out token');

    const admin = await loginUser(url, ADMIN.email, ADMIN.password);
    await gql(
      url,
      AddPolicyDocument,
      { role: 'analyst', resource: 'reports', action: 'read' },
      { token: admin.accessToken },
    );
    assert.equal(
      (await gql(url, GrantRoleDocument, { userId: u.userId, role: 'analyst' }, { token: admin.accessToken })).data
        ?.grantRole,
      true,
    );
    let allowed = 0;
    for (let i = 0; i < 60 && allowed < 6; i++) {
      const can = await gql(
        url,
        CanDocument,
        { resource: 'reports', action: 'read' },
        { token: b.accessToken, headers: { connection: 'close' } },
      );
      allowed = can.data?.can === true ? allowed + 1 : 0;
      await sleep(50);
    }
    assert.ok(allowed >= 6, 'every worker sees the grant');
  });
});
