import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Plugin } from 'graphql-yoga';
import type { Browser, BrowserContext } from 'playwright-core';
import { projectRoot } from '../../src/paths.js';
import { BrowserLog, ensureChromium, launchChromium } from '../helpers/browser.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { testManifest } from '../helpers/manifest.js';

const USER = { email: 'browser@example.test', password: 'Browser-Passphrase-Willow-2024' };

/** The front end: same origin as /graphql; reads __Host-gh_csrf and sends it back as X-CSRF-Token. */
const APP_PAGE = `<!doctype html><html><head><title>Gatehouse cookie flow</title></head>
<body><h1>Gatehouse cookie flow</h1><pre id="out">running…</pre><script>
const csrf = () => document.cookie.split('; ').find((c) => c.startsWith('__Host-gh_csrf='))?.slice(15);
async function gql(query, variables) {
  const headers = { 'content-type': 'application/json' };
  if (csrf()) headers['x-csrf-token'] = decodeURIComponent(csrf());
  const res = await fetch('/graphql', { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(15000) });
  return { status: res.status, body: await res.json() };
}
window.gql = gql;
window.show = (o) => { document.getElementById('out').textContent = JSON.stringify(o, null, 2); };
</script></body></html>`;

/** Another origin (another port of the same host, so cookies are even sent): tries to act for the user. */
const evilPage = (target: string) => `<!doctype html><html><body><h1>evil</h1>
<form id="f" method="POST" action="${target}" enctype="text/plain">
<input name='{"query":"mutation { logout }","x":"' value='"}'></form>
<form id="f2" method="POST" action="${target}/" enctype="application/x-www-form-urlencoded">
<input name="query" value="mutation { logout }"></form>
<form id="f3" method="POST" action="${target}" enctype="multipart/form-data">
<input name="operations" value='{"query":"mutation { logout }"}'><input name="map" value="{}"></form>
<script>
window.tryFetch = async () => {
  const token = document.cookie.split('; ').find((c) => c.startsWith('__Host-gh_csrf='))?.slice(15) ?? '';
  try {
    const res = await fetch(${JSON.stringify(target)}, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(token) }, body: JSON.stringify({ query: 'mutation { logout }' }), signal: AbortSignal.timeout(15000) });
    return 'status ' + res.status + ' ' + (await res.text());
  } catch (e) { return (e.name === 'TimeoutError' ? 'no answer: ' : 'blocked: ') + e.message; }
};
</script></body></html>`;

function pagePlugin(): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/app')
        endResponse(new fetchAPI.Response(APP_PAGE, { headers: { 'content-type': 'text/html; charset=utf-8' } }));
    },
  };
}

describe('cookie mode in a real browser', async () => {
  const chromiumPath = await ensureChromium();
  if (!chromiumPath) {
    process.stderr.write(
      '\n#### SKIPPED: Chromium is not installed and could not be installed (needs root + apt) ####\n\n',
    );
    it('needs Chromium', { skip: 'Chromium unavailable' }, () => {});
    return;
  }
  let gh: TestInstance;
  let browser: Browser;
  let evil: Server;
  let evilOrigin: string;
  const log = new BrowserLog();
  before(async () => {
    gh = await startGatehouse({
      manifest: testManifest({
        cookies: { enabled: true, same_site: 'Lax' },
        users: { allow_registration: true, demo_users: [{ ...USER, roles: ['user'] }] },
      }),
      plugins: [pagePlugin()],
    });
    evil = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(evilPage(gh.url));
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    browser = await launchChromium(chromiumPath, log);
  });
  after(
    async () => {
      const dir = join(projectRoot(), 'test-artifacts');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'browser-cookie-flow.log'), `${log.tail(400)}\n`);
      await browser?.close();
      // Chromium's keep-alive sockets to the other origin would hold close() open.
      evil?.closeAllConnections();
      if (evil) await new Promise((r) => evil.close(r));
      await gh?.close();
    },
    { timeout: 60_000 },
  );

  it('logs in through cookies, calls me, refreshes, refuses another origin, logs out', {
    timeout: 200_000,
  }, async (t) => {
    // A stall fails the test, with the browser's last events, when a request to a server went
    // unanswered. One where every request was answered is the browser's own (the product did its
    // part): it is reported and the whole flow runs once more in a fresh context.
    for (let attempt = 1; ; attempt++) {
      const outcome = await boundedFlow(75_000);
      if (outcome === 'done') return;
      const unanswered = [...log.unanswered.values()];
      const report = `the browser flow stalled (attempt ${attempt}); unanswered: ${unanswered.join(', ') || 'none'}; last events:\n${log.tail()}`;
      if (attempt === 2 || unanswered.length > 0) throw new Error(report);
      t.diagnostic(report);
    }
  });

  /** One run of the flow in a context of its own, closed after it, and after `ms` if it stalls. */
  async function boundedFlow(ms: number): Promise<'done' | 'stalled'> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), ms);
    });
    let context: BrowserContext | undefined;
    const run = async () => {
      // Gatehouse sends `CSP: default-src 'none'` on everything it serves (it serves no pages);
      // the test page it serves here needs its inline script.
      context = await browser.newContext({ bypassCSP: true });
      log.watch(context);
      // Every wait bounded, so a stall fails with the step that stalled instead of the test's timeout.
      context.setDefaultTimeout(20_000);
      await flow(context);
      return 'done' as const;
    };
    try {
      return await Promise.race([run(), stalled]);
    } catch (err) {
      process.stderr.write(`# browser log, last events:\n${log.tail()}\n`);
      throw err;
    } finally {
      clearTimeout(timer);
      await context?.close().catch(() => {});
    }
  }

  async function flow(context: BrowserContext) {
    const page = await context.newPage();
    await page.goto(`${gh.origin}/app`);
    type R = {
      status: number;
      body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
    };
    const email = (r: R) => (r.body.data?.me as { email: string } | undefined)?.email;
    const call = (query: string, variables?: unknown) =>
      page.evaluate(([q, v]) => (window as unknown as { gql(q: string, v: unknown): Promise<unknown> }).gql(q, v), [
        query,
        variables,
      ] as const) as Promise<R>;

    const login = await call(
      'mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken user { email } } }',
      { i: USER },
    );
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const payload = login.body.data?.login as { refreshToken: string | null; user: { email: string } };
    assert.equal(payload.user.email, USER.email);
    assert.equal(payload.refreshToken, null, 'cookie mode keeps the refresh token out of the body');

    const cookies = Object.fromEntries((await context.cookies()).map((c) => [c.name, c]));
    assert.deepEqual(Object.keys(cookies).sort(), ['__Host-gh_access', '__Host-gh_csrf', '__Secure-gh_refresh']);
    for (const name of ['__Host-gh_access', '__Secure-gh_refresh']) {
      assert.equal(cookies[name]?.httpOnly, true, `${name} HttpOnly`);
      assert.equal(cookies[name]?.secure, true, `${name} Secure`);
      assert.equal(cookies[name]?.sameSite, 'Lax', `${name} SameSite`);
    }
    assert.equal(cookies['__Secure-gh_refresh']?.path, '/graphql');
    assert.equal(cookies['__Host-gh_csrf']?.httpOnly, false, 'gh_csrf is readable by the page');

    const me = await call('{ me { email } }');
    assert.equal(email(me), USER.email);
    const refreshed = await call('mutation { refresh { user { email } refreshToken } }');
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.equal((refreshed.body.data?.refresh as { refreshToken: string | null } | undefined)?.refreshToken, null);
    const accessAfter = (await context.cookies()).find((c) => c.name === '__Host-gh_access')?.value;
    assert.notEqual(accessAfter, cookies['__Host-gh_access']?.value, 'refresh replaced the access cookie');

    // Another origin: a credentialed fetch is stopped by CORS; a form post reaches the server and is refused.
    const evilPageTab = await context.newPage();
    await evilPageTab.goto(evilOrigin);
    const fetched = await evilPageTab.evaluate(() => (window as unknown as { tryFetch(): Promise<string> }).tryFetch());
    assert.match(fetched, /^blocked: |^status 403/);
    await Promise.all([
      evilPageTab.waitForURL(`${gh.url}`),
      evilPageTab.evaluate(() => (document.getElementById('f') as HTMLFormElement).submit()),
    ]);
    const answer = JSON.parse((await evilPageTab.textContent('body')) ?? '{}') as {
      errors?: { extensions?: { code?: string } }[];
    };
    assert.equal(answer.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const stillIn = await call('{ me { email } }');
    assert.equal(email(stillIn), USER.email, 'the cross-origin logout did nothing');

    // The same forged logout as an urlencoded form to /graphql/ (Yoga serves that path too) and as multipart.
    // A tab of its own per form: the error page Chromium shows for an empty 404 is a navigation of
    // its own, which would race the next goto on a shared tab.
    for (const form of ['f2', 'f3']) {
      const tab = await context.newPage();
      await tab.goto(evilOrigin);
      const [response] = await Promise.all([
        tab.waitForResponse((r) => r.request().method() === 'POST'),
        tab.evaluate((id) => (document.getElementById(id) as HTMLFormElement).submit(), form),
      ]);
      assert.ok([403, 404].includes(response.status()), `${form}: status ${response.status()}`);
      assert.equal(email(await call('{ me { email } }')), USER.email, `${form}: the forged logout did nothing`);
      await tab.close();
    }

    const out = await call('mutation { logout }');
    assert.equal(out.body.data?.logout, true);
    const left = (await context.cookies()).map((c) => c.name).filter((n) => n.includes('gh_'));
    assert.deepEqual(left, [], 'logout cleared the three cookies');
    const after = await call('{ me { email } }');
    assert.equal(after.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');

    const shown = {
      login: login.status,
      me: email(me),
      refresh: refreshed.status,
      cookies: Object.values(cookies).map(
        (c) => `${c.name} httpOnly=${c.httpOnly} secure=${c.secure} sameSite=${c.sameSite} path=${c.path}`,
      ),
      crossOriginFetch: fetched.slice(0, 80),
      crossOriginForm: answer.errors?.[0]?.extensions?.code,
      afterLogout: { cookiesLeft: left, me: after.body.errors?.[0]?.extensions?.code },
    };
    await page.evaluate((r) => (window as unknown as { show(o: unknown): void }).show(r), shown);
    const dir = join(projectRoot(), 'test-artifacts');
    await mkdir(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'browser-cookie-flow.png') });
  }
});
