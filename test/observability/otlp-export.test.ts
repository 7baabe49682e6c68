import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { otlpExportConfigured, startOtelSdk } from '../../src/observability/otel-sdk.js';
import { MeDocument } from '../generated/graphql.js';
import { freshDbName } from '../helpers/gatehouse.js';
import { gql } from '../helpers/graphql.js';
import { testManifest } from '../helpers/manifest.js';
import { listeningUrl, spawnGatehouse } from '../helpers/serve.js';
import { registerUser } from '../helpers/users.js';

interface Export {
  path: string;
  contentType: string | undefined;
  body: string;
}

/** A stand-in OTLP/HTTP collector on 127.0.0.1: records every POST and answers 200 `{}`. */
async function startCollector(): Promise<{ url: string; exports: Export[]; close(): Promise<void> }> {
  const exports: Export[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
    });
    req.on('end', () => {
      if (req.method === 'POST') exports.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, exports, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** `gatehouse serve` (with `args`) over the run's database, exporting to `collector`. */
function serve(args: string[], collector: string, cwd: string): ChildProcess {
  return spawnGatehouse(args, cwd, freshDbName(), {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector,
    OTEL_SERVICE_NAME: 'gatehouse-otlp-test',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
}

describe('OTLP export switch', () => {
  it('is on only with an OTLP endpoint and without OTEL_SDK_DISABLED=true', async () => {
    assert.equal(otlpExportConfigured({}), false);
    assert.equal(otlpExportConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }), true);
    assert.equal(otlpExportConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }), true);
    assert.equal(
      otlpExportConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'TRUE' }),
      false,
    );
    assert.equal(await startOtelSdk({}), undefined, 'no env: no SDK started');
  });
});

describe('`gatehouse serve` with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let collector: Awaited<ReturnType<typeof startCollector>>;

  before(async () => {
    collector = await startCollector();
    dir = await mkdtemp(join(tmpdir(), 'gh-otlp-'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(testManifest()));
  });
  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await collector?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends the spans of the requests it serves to <endpoint>/v1/traces, and flushes on SIGTERM', {
    timeout: 90_000,
  }, async () => {
    child = serve(['serve'], collector.url, dir);
    const exited = new Promise<number | string>((resolve) =>
      child!.once('exit', (code, signal) => resolve(code ?? String(signal))),
    );
    const url = await listeningUrl(child, 60_000);
    const u = await registerUser(url);
    for (let i = 0; i < 3; i++)
      assert.equal((await gql(url, MeDocument, {}, { token: u.accessToken })).errors, undefined);

    // Exported in the background, within about OTEL_BSP_SCHEDULE_DELAY of the spans ending.
    const until = Date.now() + 10_000;
    const sent = () => collector.exports.map((e) => e.body).join('\n');
    while (!(sent().includes('"Me"') && sent().includes('login.session_insert')) && Date.now() < until) await sleep(50);
    assert.ok(collector.exports.length > 0, 'at least one export POST');
    for (const e of collector.exports) {
      assert.equal(e.path, '/v1/traces');
      assert.match(e.contentType ?? '', /^application\/json/);
    }
    const body = sent();
    for (const name of ['graphql.request', 'register', 'login.argon2', 'login.session_insert', 'auth.verify'])
      assert.ok(body.includes(`"${name}"`), `exported a ${name} span`);
    assert.ok(body.includes('"gatehouse-otlp-test"'), 'service.name from OTEL_SERVICE_NAME');
    for (const secret of [u.password, u.accessToken, u.refreshToken])
      assert.ok(!body.includes(secret), 'no secret exported');

    // The last request's spans go out on shutdown even if the next scheduled export is far off.
    const before = collector.exports.length;
    assert.equal((await gql(url, 'query LastOne { me { id } }', {}, { token: u.accessToken })).errors, undefined);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const last = collector.exports
      .slice(before)
      .map((e) => e.body)
      .join('\n');
    assert.ok(last.includes('"LastOne"'), 'the final request was exported by the time serve exited');
  });

  it('with --workers 2: every worker exports its own spans', { timeout: 90_000 }, async () => {
    collector.exports.length = 0;
    child = serve(['serve', '--workers', '2'], collector.url, dir);
    const exited = new Promise<number | string>((resolve) =>
      child!.once('exit', (code, signal) => resolve(code ?? String(signal))),
    );
    const url = await listeningUrl(child, 60_000);
    const u = await registerUser(url);
    // A connection per request, so the cluster spreads them over both workers.
    const calls = Array.from({ length: 20 }, (_, i) =>
      gql(url, `query W${i} { me { id } }`, {}, { token: u.accessToken, headers: { connection: 'close' } }),
    );
    for (const r of await Promise.all(calls)) assert.equal(r.errors, undefined);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const body = collector.exports.map((e) => e.body).join('\n');
    const served = Array.from({ length: 20 }, (_, i) => `"W${i}"`).filter((name) => body.includes(name));
    assert.equal(served.length, 20, 'every request of every worker was exported');
    const pids = new Set([...body.matchAll(/"key":"process\.pid","value":\{"intValue":"?(\d+)"?\}/g)].map((m) => m[1]));
    assert.equal(pids.size, 2, `spans came from both workers (process.pid ${[...pids].join(', ')})`);
  });
});
