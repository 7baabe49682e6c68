import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALLOWED_ORIGIN, accessTokenFor, binding, parseSetCookies, type SecurityApp, startSecurityApp } from './app.js';

const gql = (url: string, query: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });

describe('cookie mode', () => {
  let s: SecurityApp;
  before(async () => {
    s = await startSecurityApp();
  });
  after(() => s.close());

  it('login sets __Host-gh_access, __Secure-gh_refresh and __Host-gh_csrf with exact attributes', async () => {
    const res = await gql(s.url, 'mutation { login(email: "a@example.com", password: "pw") }');
    assert.equal(res.status, 200);
    const cookies = parseSetCookies(res.headers);
    assert.deepEqual([...cookies.keys()].sort(), ['__Host-gh_access', '__Host-gh_csrf', '__Secure-gh_refresh']);

    const access = cookies.get('__Host-gh_access')!;
    const sid = JSON.parse(Buffer.from(access.value.split('.')[1]!, 'base64url').toString()).sid as string;
    assert.deepEqual(Object.keys(access.attrs).sort(), ['expires', 'httponly', 'path', 'samesite', 'secure']);
    assert.equal(access.attrs.path, '/');
    assert.equal(access.attrs.samesite, 'Lax');
    const accessExpiry = Date.parse(access.attrs.expires!);
    assert.ok(Math.abs(accessExpiry - (Date.now() + 600_000)) < 5000, access.attrs.expires);

    const refresh = cookies.get('__Secure-gh_refresh')!;
    assert.equal(refresh.value, 'opaque-refresh-token');
    assert.deepEqual(Object.keys(refresh.attrs).sort(), ['expires', 'httponly', 'path', 'samesite', 'secure']);
    assert.equal(refresh.attrs.path, '/graphql');
    assert.ok(Math.abs(Date.parse(refresh.attrs.expires!) - (Date.now() + 86_400_000)) < 5000);

    const csrf = cookies.get('__Host-gh_csrf')!;
    assert.match(csrf.value, /^[A-Za-z0-9_-]{43}$/, 'an HMAC-SHA256, base64url');
    assert.ok(binding.matches(csrf.value, s.app.slug, sid), 'bound to the session of the access cookie');
    assert.deepEqual(Object.keys(csrf.attrs).sort(), ['expires', 'path', 'samesite', 'secure'], 'readable by scripts');
    assert.equal(csrf.attrs.path, '/');
    for (const c of cookies.values()) {
      assert.equal(c.attrs.domain, undefined, `${c.name} is host-only`);
      assert.ok(c.name.length + c.value.length < 4096);
    }

    const again = parseSetCookies(
      (await gql(s.url, 'mutation { login(email: "a@example.com", password: "pw") }')).headers,
    );
    assert.notEqual(again.get('__Host-gh_csrf')!.value, csrf.value, 'a fresh CSRF token per session');
  });

  it('logout expires all three cookies with the same path', async () => {
    const res = await gql(s.url, 'mutation { logout }');
    const cookies = parseSetCookies(res.headers);
    assert.deepEqual([...cookies.keys()].sort(), ['__Host-gh_access', '__Host-gh_csrf', '__Secure-gh_refresh']);
    for (const c of cookies.values()) {
      assert.equal(c.value, '', c.name);
      assert.ok(Date.parse(c.attrs.expires!) <= Date.now() - 86_400_000, `${c.name} expired`);
    }
    assert.equal(cookies.get('__Secure-gh_refresh')!.attrs.path, '/graphql');
    assert.equal(cookies.get('__Host-gh_access')!.attrs.path, '/');
    assert.equal('httponly' in cookies.get('__Host-gh_access')!.attrs, true);
  });

  describe('checkCsrf matrix', () => {
    const sid = 'session-of-the-victim';
    const token = binding.tokenFor('test', sid);
    const cookie = `__Host-gh_access=${accessTokenFor(sid)}; __Host-gh_csrf=${token}`;
    const planted = 'A'.repeat(43);
    const verdict = async (headers: Record<string, string>, method = 'POST') => {
      const res = await fetch(`${s.origin}/csrf`, {
        method,
        headers,
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      return ((await res.json()) as { verdict: string }).verdict;
    };
    const json = { 'content-type': 'application/json' };
    const same = { 'sec-fetch-site': 'same-origin' };

    it('accepts only the fully valid request', async () => {
      const cases: [string, Record<string, string>, string, string?][] = [
        ['valid, Fetch Metadata', { ...json, ...same, cookie, 'x-csrf-token': token }, 'ok'],
        ['valid, own Origin only', { ...json, origin: s.origin, cookie, 'x-csrf-token': token }, 'ok'],
        ['valid, allow-listed Origin', { ...json, origin: ALLOWED_ORIGIN, cookie, 'x-csrf-token': token }, 'ok'],
        [
          'valid, cross-site but allow-listed',
          { ...json, 'sec-fetch-site': 'same-site', origin: ALLOWED_ORIGIN, cookie, 'x-csrf-token': token },
          'ok',
        ],
        ['valid GET (no body)', { ...same, cookie, 'x-csrf-token': token }, 'ok', 'GET'],
        ['no header', { ...json, ...same, cookie }, 'missing-token'],
        [
          'no gh_csrf cookie',
          { ...json, ...same, cookie: `__Host-gh_access=${accessTokenFor(sid)}`, 'x-csrf-token': token },
          'missing-token',
        ],
        [
          'a matching pair planted by someone else (double submit alone)',
          {
            ...json,
            ...same,
            cookie: `__Host-gh_access=${accessTokenFor(sid)}; __Host-gh_csrf=${planted}`,
            'x-csrf-token': planted,
          },
          'unbound-token',
        ],
        [
          "the token of another session beside the victim's access cookie",
          {
            ...json,
            ...same,
            cookie: `__Host-gh_access=${accessTokenFor(sid)}; __Host-gh_csrf=${binding.tokenFor('test', 'other')}`,
            'x-csrf-token': binding.tokenFor('test', 'other'),
          },
          'unbound-token',
        ],
        [
          'the token of the same session in another app',
          {
            ...json,
            ...same,
            cookie: `__Host-gh_access=${accessTokenFor(sid)}; __Host-gh_csrf=${binding.tokenFor('other-app', sid)}`,
            'x-csrf-token': binding.tokenFor('other-app', sid),
          },
          'unbound-token',
        ],
        [
          'unprefixed look-alike cookies (a sibling subdomain can set those)',
          { ...json, ...same, cookie: `gh_access=${accessTokenFor(sid)}; gh_csrf=${token}`, 'x-csrf-token': token },
          'missing-token',
        ],
        ['empty header', { ...json, ...same, cookie, 'x-csrf-token': '' }, 'missing-token'],
        ['wrong token', { ...json, ...same, cookie, 'x-csrf-token': 'B'.repeat(43) }, 'bad-token'],
        ['token of another session', { ...json, ...same, cookie, 'x-csrf-token': `${token.slice(1)}B` }, 'bad-token'],
        ['token prefix', { ...json, ...same, cookie, 'x-csrf-token': token.slice(0, 20) }, 'bad-token'],
        [
          'cross-site',
          { ...json, 'sec-fetch-site': 'cross-site', origin: 'https://evil.test', cookie, 'x-csrf-token': token },
          'bad-origin',
        ],
        [
          'foreign Origin, no Fetch Metadata',
          { ...json, origin: 'https://evil.test', cookie, 'x-csrf-token': token },
          'bad-origin',
        ],
        [
          'look-alike Origin',
          { ...json, origin: `${ALLOWED_ORIGIN}.evil.test`, cookie, 'x-csrf-token': token },
          'bad-origin',
        ],
        [
          'same-site, not listed',
          { ...json, 'sec-fetch-site': 'same-site', origin: 'https://x.example.test', cookie, 'x-csrf-token': token },
          'bad-origin',
        ],
        ['neither Origin nor Fetch Metadata', { ...json, cookie, 'x-csrf-token': token }, 'bad-origin'],
        ['text/plain', { 'content-type': 'text/plain', ...same, cookie, 'x-csrf-token': token }, 'bad-content-type'],
        [
          'form',
          { 'content-type': 'application/x-www-form-urlencoded', ...same, cookie, 'x-csrf-token': token },
          'bad-content-type',
        ],
        [
          'multipart',
          { 'content-type': 'multipart/form-data; boundary=x', ...same, cookie, 'x-csrf-token': token },
          'bad-content-type',
        ],
        [
          'cross-site text/plain without token',
          { 'content-type': 'text/plain', origin: 'https://evil.test', cookie },
          'bad-origin',
        ],
      ];
      for (const [name, headers, expected, method] of cases) {
        assert.equal(await verdict(headers, method), expected, name);
      }
    });
  });
});
