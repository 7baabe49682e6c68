import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from '../src/embedded-db/index.js';
import { projectRoot } from '../src/paths.js';

const run = promisify(execFile);
const root = projectRoot();

function waitFor(child: ChildProcess, re: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms: ${seen}`)), ms);
    const on = (d: Buffer) => {
      seen += d;
      if (re.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
  });
}

describe('examples/ run as their README says', () => {
  const children: ChildProcess[] = [];
  let dir = '';
  after(async () => {
    for (const c of children) c.kill('SIGTERM');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('orders service + gateway + client: every step answers as documented', async () => {
    const ordersPort = await freePort();
    const gatewayPort = await freePort();
    dir = await mkdtemp(join(tmpdir(), 'gh-example-'));
    const manifest = (await readFile(join(root, 'examples', 'manifest.json'), 'utf8')).replace(
      '4001',
      String(ordersPort),
    );
    await writeFile(join(dir, 'manifest.json'), manifest);
    // As the README says: the service's key from `gatehouse keys gateway orders`, run where the gateway runs.
    const key = (await run(join(root, 'bin', 'gatehouse'), ['keys', 'gateway', 'orders'], { cwd: dir })).stdout.trim();
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);

    const orders = spawn(process.execPath, [join(root, 'examples', 'orders-service.mjs')], {
      env: { ...process.env, ORDERS_PORT: String(ordersPort), GATEHOUSE_GATEWAY_KEY: key },
    });
    children.push(orders);
    await waitFor(orders, /orders service on/, 15_000);
    const gateway = spawn(
      join(root, 'bin', 'gatehouse'),
      ['serve', '--manifest', join(dir, 'manifest.json'), '--port', String(gatewayPort)],
      {
        env: { ...process.env, LOG_LEVEL: 'warn' },
        cwd: dir,
      },
    );
    children.push(gateway);
    await waitFor(gateway, /listening on/, 30_000);

    const { stdout } = await run(process.execPath, [join(root, 'examples', 'client.mjs')], {
      env: { ...process.env, GATEHOUSE_URL: `http://127.0.0.1:${gatewayPort}/graphql` },
      timeout: 30_000,
    });
    const lines = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
    );
    assert.match(lines.registered ?? '', /"roles":\["customer"\]/);
    assert.equal(lines['publicInfo (no token)'], 'Orders service: open 24/7');
    assert.equal(lines['myOrders (no token)'], 'UNAUTHENTICATED');
    assert.match(lines.myOrders ?? '', /welcome kit/);
    const registeredId = /"id":"([^"]+)"/.exec(lines.registered ?? '')?.[1];
    assert.ok(registeredId);
    assert.ok(lines.myOrders?.includes(`welcome-${registeredId}`), 'the verified caller reached the service');
    assert.equal(lines['allOrders (customer)'], 'FORBIDDEN');
    assert.equal(lines['refreshed, new token expires in'], '300 s');
    assert.equal(lines.logout, 'true');
    assert.equal(lines['myOrders after logout'], 'UNAUTHENTICATED');

    // Around the gateway, claiming to be that user: refused before GraphQL runs.
    const ordersUrl = `http://127.0.0.1:${ordersPort}/graphql`;
    const direct = (headers: Record<string, string>) =>
      fetch(ordersUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ myOrders { id owner } }' }),
      });
    const forged = await direct({ 'x-gatehouse-user-id': registeredId, 'x-gatehouse-app': 'shop' });
    assert.equal(forged.status, 401);
    const forgedBody = (await forged.json()) as { data?: unknown; errors: { message: string }[] };
    assert.equal(forgedBody.data, undefined);
    assert.match(forgedBody.errors[0]!.message, /not signed by the gateway \(missing\)/);
    const fakeSignature = await direct({
      'x-gatehouse-user-id': registeredId,
      'x-gatehouse-timestamp': String(Date.now()),
      'x-gatehouse-nonce': 'AAAAAAAAAAAAAAAAAAAAAA',
      'x-gatehouse-signature': `v2=${'A'.repeat(43)}`,
    });
    assert.equal(fakeSignature.status, 401);
    assert.match(await fakeSignature.text(), /bad-signature/);
  });

  it('the orders service refuses to start without its gateway key', async () => {
    const env = { ...process.env };
    delete env.GATEHOUSE_GATEWAY_KEY;
    await assert.rejects(
      run(process.execPath, [join(root, 'examples', 'orders-service.mjs')], { env, timeout: 15_000 }),
      (err: Error & { code?: number; stderr?: string }) => {
        assert.equal(err.code, 1);
        assert.match(err.stderr ?? '', /GATEHOUSE_GATEWAY_KEY/);
        return true;
      },
    );
  });
});
