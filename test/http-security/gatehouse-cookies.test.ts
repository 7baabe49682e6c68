/**
 * Cookie mode against a real Gatehouse (issue 14, items 1, 2, 3, 10, 11): the guards hold on every
 * path Yoga would execute, login-like mutations refuse pages we do not trust, the CSRF token is bound
 * to its session, and nothing that carries credentials may be cached.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { testManifest } from '../helpers/manifest.js';
import { strongPassword, uniqueEmail } from '../helpers/users.js';
import { parseSetCookies } from './app.js';

const TRUSTED = 'https://app.example.test';

interface Jar {
  access: string;
  refresh: string;
  csrf: string;
  sid: string;
}

describe('cookie mode on a real Gatehouse', () => {
  let gh: TestInstance;
  const email = uniqueEmail('cookie');
  const password = strongPassword();

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gh.origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const cookieHeader = (j: Jar) =>
    `__Host-gh_access=${j.access}; __Secure-gh_refresh=${j.refresh}; __Host-gh_csrf=${j.csrf}`;
  const jarOf = (res: Response): Jar => {
    const c = parseSetCookies(res.headers);
    const access = c.get('__Host-gh_access')?.value;
    const refresh = c.get('__Secure-gh_refresh')?.value;
    const csrf = c.get('__Host-gh_csrf')?.value;
    assert.ok(access && refresh && csrf, `cookies: ${[...c.keys()]}`);
    const sid = JSON.parse(Buffer.from(access.split('.')[1]!, 'base64url').toString()).sid as string;
    return { access, refresh, csrf, sid };
  };
  const login = async () => {
    const res = await post(
      '/graphql',
      {
        query: 'mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken session { id } } }',
        variables: { i: { email, password } },
      },
      { origin: TRUSTED },
    );
    const body = (await res.json()) as {
      data?: { login: { accessToken: string | null; refreshToken: string | null } };
    };
    assert.ok(body.data?.login, JSON.stringify(body));
    return { res, body: body.data.login, jar: jarOf(res) };
  };
  const sessionAlive = async (j: Jar) => {
    const r = await post('/graphql', { query: '{ me { id } }' }, { authorization: `Bearer ${j.access}` });
    const body = (await r.json()) as { data?: { me: { id: string } | null } };
    return Boolean(body.data?.me?.id);
  };

  before(async () => {
    gh = await startGatehouse({
      manifest: testManifest({
        cookies: { enabled: true, secure: true, allowed_origins: [TRUSTED] },
        policy: { allow_anonymous: true },
      }),
    });
    const res = await post(
      '/graphql',
      {
        query: 'mutation($i: RegisterInput!) { register(input: $i) { session { id } } }',
        variables: { i: { email, password } },
      },
      { 'sec-fetch-site': 'same-origin' },
    );
    assert.equal(res.status, 200, await res.clone().text());
  });
  after(() => gh.close());

  it('payloads carry neither token in cookie mode: both live only in the cookies', async () => {
    const { body, res } = await login();
    assert.equal(body.accessToken, null);
    assert.equal(body.refreshToken, null);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  it('serves GraphQL on /graphql only: the other paths Yoga would execute answer 404 and run nothing', async () => {
    const { jar } = await login();
    const variants = ['/graphql/', '/x/graphql', '/graphql/extra', '/?a=/graphql', '/anything?/graphql/'];
    for (const path of variants) {
      const asJson = await post(path, { query: 'mutation { logout }' }, { cookie: cookieHeader(jar) });
      assert.equal(asJson.status, 404, `${path}: ${await asJson.text()}`);
      assert.equal(asJson.headers.get('cache-control'), 'no-store', path);
      const asForm = await fetch(`${gh.origin}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
        body: new URLSearchParams({ query: 'mutation { logout }' }),
      });
      assert.equal(asForm.status, 404, path);
    }
    assert.ok(await sessionAlive(jar), 'no logout ran');
  });

  it('refuses cookie requests on /graphql with form, multipart or text bodies, or no CSRF header', async () => {
    const { jar } = await login();
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: 'mutation { logout }' }));
    form.set('map', '{}');
    const attempts: RequestInit[] = [
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': jar.csrf },
        body: new URLSearchParams({ query: 'mutation { logout }' }),
      },
      { headers: { 'x-csrf-token': jar.csrf }, body: form },
      { headers: { 'content-type': 'text/plain', 'x-csrf-token': jar.csrf }, body: '{"query":"mutation { logout }"}' },
      { headers: { 'content-type': 'application/json' }, body: '{"query":"mutation { logout }"}' },
    ];
    for (const init of attempts) {
      const res = await fetch(`${gh.origin}/graphql`, {
        method: 'POST',
        ...init,
        headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader(jar), origin: TRUSTED },
      });
      assert.equal(res.status, 403, JSON.stringify(init.headers));
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
      assert.equal(body.errors[0]?.extensions.code, 'FORBIDDEN');
    }
    assert.ok(await sessionAlive(jar), 'no logout ran');
  });

  it('login, register, loginAnonymous and refresh set no cookies unless a trusted page asks (login CSRF)', async () => {
    const { jar } = await login();
    const ops = [
      { query: 'mutation($i: LoginInput!) { login(input: $i) { expiresIn } }', variables: { i: { email, password } } },
      {
        query: 'mutation($i: RegisterInput!) { register(input: $i) { expiresIn } }',
        variables: { i: { email: uniqueEmail('csrf'), password: strongPassword() } },
      },
      { query: 'mutation { loginAnonymous(deviceId: "dev-csrf-1") { expiresIn } }' },
      { query: 'mutation($r: String) { refresh(refreshToken: $r) { expiresIn } }', variables: { r: jar.refresh } },
    ];
    const untrusted: Record<string, string>[] = [
      {},
      { origin: 'https://evil.example.test' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example.test' },
      { 'sec-fetch-site': 'same-site', origin: 'https://sub.app.example.test' },
    ];
    for (const op of ops) {
      for (const headers of untrusted) {
        const res = await post('/graphql', op, headers);
        const body = (await res.json()) as { data?: unknown; errors?: { extensions: Record<string, unknown> }[] };
        assert.equal(body.errors?.[0]?.extensions.code, 'FORBIDDEN', `${op.query} ${JSON.stringify(headers)}`);
        assert.equal(body.errors?.[0]?.extensions.reason, 'bad-origin');
        assert.equal(res.headers.get('set-cookie'), null, 'no cookie set');
        assert.equal(res.headers.get('cache-control'), 'no-store');
      }
    }
    const count = await gh.database.db.collection('users').countDocuments({ email: { $regex: '^csrf\\.' } });
    assert.equal(count, 0, 'no account was registered by a refused request');
    assert.ok(await sessionAlive(jar), 'the refresh token was not rotated away by a refused request');
    const trusted: Record<string, string>[] = [
      { origin: TRUSTED },
      { 'sec-fetch-site': 'same-origin' },
      { origin: gh.origin },
    ];
    for (const headers of trusted) {
      const res = await post('/graphql', ops[2]!, headers);
      assert.equal(res.status, 200, await res.clone().text());
      assert.ok(jarOf(res).access, 'a trusted page gets its cookies');
    }
  });

  it('a CSRF token made for another session is refused, even when cookie and header agree', async () => {
    const a = (await login()).jar;
    const b = (await login()).jar;
    const planted = { ...a, csrf: b.csrf };
    const refresh = { query: 'mutation { refresh { expiresIn } }' };
    const res = await post('/graphql', refresh, {
      cookie: cookieHeader(planted),
      'x-csrf-token': b.csrf,
      origin: TRUSTED,
    });
    assert.equal(res.status, 403);
    const body = (await res.json()) as { errors: { extensions: { reason: string } }[] };
    assert.equal(body.errors[0]?.extensions.reason, 'unbound-token');

    // refresh-only cookie (the access cookie has expired): the binding is checked once the session is known
    const refreshOnly = `__Secure-gh_refresh=${a.refresh}; __Host-gh_csrf=${b.csrf}`;
    const r2 = await post('/graphql', refresh, { cookie: refreshOnly, 'x-csrf-token': b.csrf, origin: TRUSTED });
    const b2 = (await r2.json()) as { errors?: { extensions: { code: string; reason: string } }[] };
    assert.equal(b2.errors?.[0]?.extensions.code, 'FORBIDDEN', JSON.stringify(b2));
    assert.equal(r2.headers.get('set-cookie'), null, 'nothing delivered');

    const ok = await post('/graphql', refresh, {
      cookie: `__Secure-gh_refresh=${a.refresh}; __Host-gh_csrf=${a.csrf}`,
      'x-csrf-token': a.csrf,
      origin: TRUSTED,
    });
    const okBody = (await ok.json()) as { data?: { refresh: { expiresIn: number } } };
    assert.ok(okBody.data?.refresh, 'the rightful tab still refreshes (grace window)');
    assert.equal(ok.headers.get('cache-control'), 'no-store');
  });

  it('no-store on every response that could carry credentials; JWKS stays cacheable', async () => {
    for (const path of ['/healthz', '/readyz', '/nowhere', '/graphql?query=%7B__typename%7D']) {
      const res = await fetch(`${gh.origin}${path}`);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
    }
    const jwks = await fetch(`${gh.origin}/.well-known/jwks.json`);
    assert.match(jwks.headers.get('cache-control') ?? '', /public/);
  });
});
