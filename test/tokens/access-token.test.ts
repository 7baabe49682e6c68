import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, mock } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { AppConfig } from '../../src/config/index.js';
import { ed25519 } from '../../src/tokens/ed25519.js';
import { createTokenService, type TokenService } from '../../src/tokens/index.js';
import { coreDeps, type TestDeps } from '../helpers/deps.js';
import { recordingDeps } from './commands.js';
import { activeKey, b64, claims, hs256, type StoredKey, sign } from './forge.js';

const ttl = 60;
const manifest = {
  apps: [
    { slug: 'ed', auth: { tokens: { algorithm: 'EdDSA', access_ttl: ttl } } },
    { slug: 'es', auth: { tokens: { algorithm: 'ES256', access_ttl: ttl } } },
    { slug: 'rs', auth: { tokens: { algorithm: 'RS256', access_ttl: ttl } } },
    { slug: 'hs', auth: { tokens: { algorithm: 'HS256', access_ttl: ttl } } },
    { slug: 'ed-b', auth: { tokens: { algorithm: 'EdDSA', access_ttl: ttl } } },
  ],
};
const subject = { userId: 'user-1', sessionId: 'session-1', roles: ['user', 'admin'] };

describe('access tokens', () => {
  let deps: TestDeps;
  let tokens: TokenService;
  /** A second instance on a connection that records every database command. */
  let watched: TokenService;
  let watchedCommands: { command: unknown; commandName: string }[];
  let closeWatched: () => Promise<void>;
  let ed: StoredKey;
  const app = (slug: string): AppConfig => deps.manifest.apps.find((a) => a.slug === slug)!;

  before(async () => {
    deps = await coreDeps({ manifest });
    tokens = createTokenService(deps, deps.settings.tokens);
    await tokens.start();
    const rec = await recordingDeps(deps);
    watched = createTokenService(rec.deps, rec.deps.settings.tokens, { refreshMs: 3_600_000, unknownKidReloadMs: 0 });
    await watched.start();
    watchedCommands = rec.commands;
    closeWatched = rec.close;
    ed = await activeKey(deps, 'EdDSA');
  });
  after(async () => {
    tokens.stop();
    watched.stop();
    await closeWatched();
    await deps.close();
  });

  it('round-trips a token for each algorithm', async () => {
    for (const slug of ['ed', 'es', 'rs', 'hs']) {
      const a = app(slug);
      const issued = await tokens.issue(a, subject);
      const kid = (await activeKey(deps, a.tokens.algorithm)).kid;
      assert.deepEqual(decodeProtectedHeader(issued.token), { alg: a.tokens.algorithm, kid, typ: 'at+jwt' });
      assert.equal(issued.expiresIn, ttl);
      const verified = await tokens.verify(issued.token, a);
      assert.deepEqual(verified, {
        userId: 'user-1',
        app: slug,
        sessionId: 'session-1',
        tokenId: issued.tokenId,
        roles: ['user', 'admin'],
        issuedAt: issued.expiresAt - ttl,
        expiresAt: issued.expiresAt,
      });
      // Another instance on the same database verifies it too.
      assert.ok(await watched.verify(issued.token, a), slug);
    }
  });

  it('puts the contract claims in an EdDSA token with typ at+jwt and the kid of a published key', async () => {
    const issued = await tokens.issue(app('ed'), subject);
    const header = decodeProtectedHeader(issued.token);
    assert.equal(header.alg, 'EdDSA');
    assert.equal(header.typ, 'at+jwt');
    assert.ok(tokens.jwks().keys.some((k) => k.kid === header.kid));
    const c = decodeJwt(issued.token);
    assert.deepEqual(Object.keys(c).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'roles', 'sid', 'sub']);
    assert.equal(c.iss, 'gatehouse');
    assert.equal(c.aud, 'ed');
    assert.equal(c.exp, c.iat! + ttl);
    assert.equal(c.jti, issued.tokenId);
    assert.match(issued.tokenId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual((await tokens.issue(app('ed'), subject)).tokenId, issued.tokenId);
  });

  it('accepts a token hand-signed with the stored key (so the refusals below are about the defect they add)', async () => {
    const token = await sign(ed.key, { alg: 'EdDSA', kid: ed.kid, typ: 'at+jwt' }, claims(app('ed'), deps.clock));
    assert.ok(await tokens.verify(token, app('ed')));
  });

  it('refuses a changed payload, a truncated, zeroed or missing signature', async () => {
    for (const slug of ['ed', 'es', 'rs', 'hs']) {
      const a = app(slug);
      const [h, p, s] = (await tokens.issue(a, subject)).token.split('.') as [string, string, string];
      const i = 10;
      const flipped = p.slice(0, i) + (p[i] === 'A' ? 'B' : 'A') + p.slice(i + 1);
      const escalated = b64({ ...decodeJwt(`${h}.${p}.${s}`), roles: ['root'] });
      const zeroed = Buffer.alloc(Buffer.from(s, 'base64url').length).toString('base64url');
      for (const forged of [
        `${h}.${flipped}.${s}`,
        `${h}.${escalated}.${s}`,
        `${h}.${p}.${s.slice(0, -3)}`,
        `${h}.${p}.${zeroed}`,
        `${h}.${p}.`,
        `${h}.${p}`,
      ]) {
        assert.equal(await tokens.verify(forged, a), null, `${slug}: ${forged.slice(-20)}`);
      }
    }
  });

  it('refuses alg none in any spelling', async () => {
    for (const slug of ['ed', 'hs']) {
      for (const alg of ['none', 'None', 'nOnE', 'NONE']) {
        const input = `${b64({ alg, kid: ed.kid, typ: 'at+jwt' })}.${b64(claims(app(slug), deps.clock))}`;
        for (const sig of ['', 'AAAA', b64('x')]) {
          assert.equal(await tokens.verify(`${input}.${sig}`, app(slug)), null, `${slug} ${alg} "${sig}"`);
        }
      }
    }
  });

  it("refuses HS256 tokens MAC'd with a public key as JWK JSON, PEM or raw bytes", async () => {
    for (const [slug, alg] of [
      ['ed', 'EdDSA'],
      ['rs', 'RS256'],
    ] as const) {
      const key = await activeKey(deps, alg);
      const publicJwk = key.doc.publicJwk!;
      const spki = createPublicKey({ key: publicJwk as JWK & { kty: string }, format: 'jwk' });
      const pem = spki.export({ type: 'spki', format: 'pem' }) as string;
      const der = spki.export({ type: 'spki', format: 'der' });
      const raw = Buffer.from((alg === 'EdDSA' ? publicJwk.x : publicJwk.n)!, 'base64url');
      const published = JSON.stringify(tokens.jwks().keys.find((k) => k.kid === key.kid));
      const secrets = [JSON.stringify(publicJwk), published, pem, `\n ${pem}`, pem.trim(), der, raw];
      for (const secret of secrets) {
        for (const target of [slug, 'hs']) {
          const token = hs256(secret, { alg: 'HS256', kid: key.kid, typ: 'at+jwt' }, claims(app(target), deps.clock));
          assert.equal(await tokens.verify(token, app(target)), null, `${alg} key as HS256 secret at ${target}`);
        }
      }
    }
  });

  it('enforces exp with at most 5 s of leeway, cached or not', async () => {
    const a = app('ed');
    const at = (exp: number, msAfter: number) => {
      deps.clock.offsetMs = exp * 1000 + msAfter - Date.now();
    };
    try {
      const [fresh1, fresh2, cached] = await Promise.all([1, 2, 3].map(() => tokens.issue(a, subject)));
      assert.ok(await tokens.verify(cached!.token, a));

      at(fresh1!.expiresAt, 4000);
      assert.ok(await tokens.verify(fresh1!.token, a), 'uncached, 4 s past exp');
      at(cached!.expiresAt, 4000);
      assert.ok(await tokens.verify(cached!.token, a), 'cached, 4 s past exp');
      assert.equal(deps.metrics.calls.at(-1), 'tokenCache:true');

      at(fresh2!.expiresAt, 6000);
      assert.equal(await tokens.verify(fresh2!.token, a), null, 'uncached, 6 s past exp');
      at(cached!.expiresAt, 6000);
      assert.equal(await tokens.verify(cached!.token, a), null, 'cached, 6 s past exp');
    } finally {
      deps.clock.offsetMs = 0;
    }
  });

  it('refuses a token for another app, from another issuer or of another type', async () => {
    const a = app('ed');
    const issued = await tokens.issue(a, subject);
    assert.equal(await tokens.verify(issued.token, app('ed-b')), null, 'same key, other app');
    assert.ok(await tokens.verify(issued.token, a));
    assert.equal(await tokens.verify(issued.token, app('ed-b')), null, 'other app, after a cached verify for ed');
    assert.equal(await tokens.verify(issued.token, app('hs')), null);

    const header = { alg: 'EdDSA', kid: ed.kid, typ: 'at+jwt' };
    const forged = [
      await sign(ed.key, header, claims(a, deps.clock, { iss: 'someone-else' })),
      await sign(ed.key, header, claims(a, deps.clock, { aud: ['ed-b', 'other'] })),
      await sign(ed.key, { ...header, typ: 'JWT' }, claims(a, deps.clock)),
      await sign(ed.key, { alg: 'EdDSA', kid: ed.kid }, claims(a, deps.clock)),
    ];
    for (const token of forged) assert.equal(await tokens.verify(token, a), null);
    // Signed with a real key, but not the algorithm the app is pinned to.
    const crossAlg = await sign(ed.key, header, claims(app('hs'), deps.clock));
    assert.equal(await tokens.verify(crossAlg, app('hs')), null);
  });

  it('requires exp, iat, sub, sid, jti and string roles, and refuses iat or nbf in the future', async () => {
    const a = app('ed');
    const header = { alg: 'EdDSA', kid: ed.kid, typ: 'at+jwt' };
    const now = Math.floor(deps.clock.ms() / 1000);
    const defects: Record<string, unknown>[] = [
      { exp: undefined },
      { iat: undefined },
      { sub: undefined },
      { sid: undefined },
      { jti: undefined },
      { roles: undefined },
      { roles: [1] },
      { sub: '' },
      { iat: now + 60, exp: now + 60 + ttl },
      { nbf: now + 60 },
    ];
    for (const defect of defects) {
      const token = await sign(ed.key, header, claims(a, deps.clock, defect));
      assert.equal(await tokens.verify(token, a), null, JSON.stringify(defect));
    }
  });

  it('looks kids up only in memory: unknown and hostile kids are refused, and no query carries them', async () => {
    const a = app('ed');
    watchedCommands.length = 0;
    const unknown = 'U'.repeat(43);
    const token = await sign(ed.key, { alg: 'EdDSA', kid: unknown, typ: 'at+jwt' }, claims(a, deps.clock));
    assert.equal(await watched.verify(token, a), null);
    assert.ok(watchedCommands.length > 0, 'an unknown kid reloads the key set (throttling is off here)');
    for (const c of watchedCommands) assert.doesNotMatch(JSON.stringify(c.command), new RegExp(unknown));

    watchedCommands.length = 0;
    for (const kid of ['../../etc/passwd', '{"$ne":null}', 'k'.repeat(65), 'k'.repeat(10_240), 42, { $ne: null }]) {
      const t = await sign(ed.key, { alg: 'EdDSA', kid, typ: 'at+jwt' }, claims(a, deps.clock));
      assert.equal(await watched.verify(t, a), null, String(kid).slice(0, 20));
    }
    const noKid = await sign(ed.key, { alg: 'EdDSA', typ: 'at+jwt' }, claims(a, deps.clock));
    assert.equal(await watched.verify(noKid, a), null);
    assert.equal(watchedCommands.length, 0, 'a malformed kid never reaches the database');
  });

  it('never fetches key URLs from a token and refuses embedded keys', async () => {
    let requests = 0;
    const attacker = await generateKeyPair('EdDSA', { extractable: true });
    const attackerJwk = await exportJWK(attacker.publicKey);
    const attackerKid = await calculateJwkThumbprint(attackerJwk);
    const server = createServer((_req, res) => {
      requests++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [{ ...attackerJwk, kid: attackerKid, alg: 'EdDSA' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    try {
      const a = app('ed');
      const c = () => claims(a, deps.clock);
      const forged = [
        await sign(attacker.privateKey, { alg: 'EdDSA', typ: 'at+jwt', kid: attackerKid, jku: url }, c()),
        await sign(attacker.privateKey, { alg: 'EdDSA', typ: 'at+jwt', kid: attackerKid, x5u: url }, c()),
        await sign(attacker.privateKey, { alg: 'EdDSA', typ: 'at+jwt', kid: attackerKid, jwk: attackerJwk }, c()),
        await sign(attacker.privateKey, { alg: 'EdDSA', typ: 'at+jwt', jwk: attackerJwk }, c()),
        await sign(attacker.privateKey, { alg: 'EdDSA', typ: 'at+jwt', kid: attackerKid, x5c: ['MIIB'] }, c()),
        // The real key with a hostile header: still not a token we issue.
        await sign(ed.key, { alg: 'EdDSA', typ: 'at+jwt', kid: ed.kid, jku: url }, c()),
      ];
      for (const token of forged) {
        assert.equal(await tokens.verify(token, a), null);
        assert.equal(await watched.verify(token, a), null);
      }
      assert.equal(requests, 0);
    } finally {
      server.close();
    }
  });

  it('refuses JWE, JSON serialization, oversized and malformed tokens before any crypto', async () => {
    const a = app('ed');
    const jwe = `${b64({ alg: 'dir', enc: 'A256GCM', kid: ed.kid })}..${b64('iv-iv-iv-iv')}.${b64('ciphertext')}.${b64('tag-tag-tag-tag')}`;
    const issued = (await tokens.issue(a, subject)).token;
    const [h, p, s] = issued.split('.');
    const verifySpy = mock.method(crypto.subtle, 'verify');
    try {
      const started = performance.now();
      for (const token of [
        jwe,
        JSON.stringify({ protected: h, payload: p, signature: s }),
        `${issued}.${s}`,
        `${h}.${p}.${s}${'A'.repeat(4096)}`,
        ` ${issued}`,
        '',
        '...',
        'x'.repeat(65_536),
      ]) {
        assert.equal(await tokens.verify(token, a), null);
      }
      const ms = performance.now() - started;
      assert.ok(ms < 100, `took ${ms} ms`);
      assert.equal(verifySpy.mock.callCount(), 0);
    } finally {
      verifySpy.mock.restore();
    }
  });

  it('publishes public keys only, with kid, alg and use', async () => {
    const { keys } = tokens.jwks();
    assert.deepEqual(keys.map((k) => k.alg).sort(), ['ES256', 'EdDSA', 'RS256']);
    for (const k of keys) {
      assert.equal(k.use, 'sig');
      assert.equal(k.kid, (await activeKey(deps, k.alg as 'EdDSA')).kid);
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(k[priv], undefined);
    }
    const rsa = keys.find((k) => k.alg === 'RS256')!;
    assert.equal(Buffer.from(rsa.n as string, 'base64url').length * 8, 3072);
    assert.deepEqual(watched.jwks(), tokens.jwks());
  });

  it('caches verified tokens: a hit costs no signature check and no database round trip', async () => {
    const a = app('ed');
    const { token } = await watched.issue(a, subject);
    // First sight checks the signature synchronously (local-verify.ts, Ed25519 by ed25519.ts); never WebCrypto.
    const verifySpy = mock.method(ed25519, 'verify');
    const subtleSpy = mock.method(crypto.subtle, 'verify');
    const importSpy = mock.method(crypto.subtle, 'importKey');
    try {
      watchedCommands.length = 0;
      deps.metrics.calls.length = 0;
      const first = await watched.verify(token, a);
      assert.ok(first);
      assert.deepEqual(deps.metrics.calls, ['tokenCache:false']);
      assert.equal(verifySpy.mock.callCount(), 1);
      assert.equal(importSpy.mock.callCount(), 0, 'keys are imported once, at load');

      const n = 10_000;
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        if ((await watched.verify(token, a)) !== first) assert.fail('cache miss');
      }
      const ms = performance.now() - started;
      console.log(`[tokens] ${n} cached verifies: ${ms.toFixed(1)} ms (${((ms * 1000) / n).toFixed(2)} µs each)`);
      assert.ok(ms < 1000, `${ms} ms`);
      assert.equal(verifySpy.mock.callCount(), 1);
      assert.equal(subtleSpy.mock.callCount(), 0, 'no WebCrypto (thread-pool) job on the request path');
      assert.equal(importSpy.mock.callCount(), 0);
      assert.equal(watchedCommands.length, 0);
      assert.equal(deps.metrics.calls.filter((c) => c === 'tokenCache:true').length, n);
    } finally {
      verifySpy.mock.restore();
      subtleSpy.mock.restore();
      importSpy.mock.restore();
    }
  });

  it('measures uncached verification per algorithm', async () => {
    const n = 100;
    const report: string[] = [];
    for (const slug of ['ed', 'hs', 'es', 'rs']) {
      const a = app(slug);
      const issued = await Promise.all(Array.from({ length: n + 20 }, () => tokens.issue(a, subject)));
      for (const { token } of issued.splice(0, 20)) assert.ok(await watched.verify(token, a)); // warm-up
      const started = performance.now();
      for (const { token } of issued) assert.ok(await watched.verify(token, a));
      const us = ((performance.now() - started) * 1000) / n;
      report.push(`${a.tokens.algorithm} ${us.toFixed(0)} µs`);
      assert.ok(us < 50_000, `${slug}: ${us} µs per verify`);
    }
    console.log(`[tokens] uncached verify: ${report.join(', ')}`);
  });
});
