import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGateway, DownstreamUnavailableError } from '../../src/gateway/index.js';
import { gatehouseSchema } from '../../src/graphql/schema.js';
import { verifyGatewaySignature } from '../../src/library/gateway-verify.js';
import { createNonceStore } from '../../src/library/nonce-store.js';
import { deriveGatewayKey } from '../../src/vocabulary/index.js';
import { startGatehouse, TEST_SECRET, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { loginUser, registerUser, strongPassword, uniqueEmail } from '../helpers/users.js';
import { type BillingService, startBillingService } from './support/billing-service.js';
import { type OrdersService, startOrdersService } from './support/orders-service.js';

const ADMIN = { email: 'gate.admin@example.test', password: 'Gate-Keeper-Passphrase-2024' };

interface Order {
  id: string;
  owner: string;
}

describe('gateway mode: a downstream service behind Gatehouse', () => {
  let orders: OrdersService;
  let billing: BillingService;
  let gh: TestInstance;

  before(async () => {
    [orders, billing] = await Promise.all([startOrdersService(), startBillingService()]);
    gh = await startGatehouse({
      manifest: {
        apps: [
          {
            slug: 'test',
            auth: {
              users: { allow_registration: true, demo_users: [{ ...ADMIN, roles: ['admin'] }] },
              policy: { authorization: { initial_policies: [['admin', 'policies', 'manage']] } },
            },
          },
          { slug: 'web', auth: { users: { allow_registration: true }, cookies: { enabled: true } } },
        ],
        downstream: [
          { name: orders.name, url: orders.url },
          { name: billing.name, url: billing.url },
        ],
      },
    });
  });
  after(async () => {
    await gh?.close();
    await Promise.all([orders?.close(), billing?.close()]);
  });

  it('serves anonymous publicInfo, and Gatehouse’s own fields next to it', async () => {
    const r = await gql<{ publicInfo: string; serverTime: string }, object>(gh.url, '{ publicInfo serverTime }');
    assert.equal(r.errors, undefined);
    assert.equal(r.data?.publicInfo, 'open to all');
    assert.ok(r.data?.serverTime);
    assert.equal(orders.lastHeaders?.authorization, undefined, 'no credential goes down for an anonymous caller');
    assert.equal(orders.lastHeaders?.['x-gatehouse-user-id'], undefined);
  });

  it('refuses @auth downstream without a token before calling the service', async () => {
    const before = { ...orders.calls };
    const r = await gql(gh.url, '{ publicInfo myOrders { id } }');
    assert.equal(codeOf(r), 'UNAUTHENTICATED');
    assert.equal(r.data ?? null, null, 'the whole operation is refused');
    assert.equal(orders.calls.myOrders, 0);
    assert.deepEqual(orders.calls, before, 'not even the allowed field was fetched');
    const bad = await gql(gh.url, '{ myOrders { id } }', {}, { token: 'not.a.token' });
    assert.equal(codeOf(bad), 'UNAUTHENTICATED');
    assert.equal(orders.calls.myOrders, 0);
  });

  it('with a token: forwards Authorization, app, user id and a signature the service verifies', async () => {
    const u = await registerUser(gh.url);
    const r = await gql<{ myOrders: Order[] }, object>(
      gh.url,
      '{ myOrders { id owner } }',
      {},
      { token: u.accessToken },
    );
    assert.equal(r.errors, undefined);
    assert.deepEqual(
      r.data?.myOrders.map((o) => o.owner),
      [u.userId, u.userId],
    );
    const seen = orders.lastHeaders!;
    assert.equal(seen.authorization, `Bearer ${u.accessToken}`);
    assert.equal(seen['x-gatehouse-app'], 'test');
    assert.equal(seen['x-gatehouse-user-id'], u.userId);
    assert.match(seen['x-gatehouse-session-id'] as string, /.+/, 'the caller’s session goes down too');
    // The service verified it already (it refuses anything else); the same bytes verify with the key
    // alone — and only once: the service's nonce store has it, a fresh store does not.
    const call = orders.accepted.at(-1)!;
    const key = deriveGatewayKey(TEST_SECRET, orders.name);
    const again = await verifyGatewaySignature({ ...call }, key);
    assert.deepEqual(again, { ok: false, reason: 'replayed' });
    const fresh = await verifyGatewaySignature({ ...call }, key, { nonceStore: createNonceStore() });
    assert.equal(fresh.ok, true);
    assert.equal(fresh.ok && fresh.userId, u.userId);
    assert.equal(fresh.ok && fresh.sessionId, seen['x-gatehouse-session-id']);
  });

  it('the service refuses a request that went around the gateway, with or without a forged user id', async () => {
    const u = await registerUser(gh.url);
    const refused = orders.refused;
    const reached = orders.calls.myOrders;
    const direct = await gql(orders.url, '{ myOrders { id } }', {}, { token: u.accessToken });
    assert.equal(direct.status, 401);
    const forged = await gql(orders.url, '{ myOrders { id } }', {}, { headers: { 'x-gatehouse-user-id': u.userId } });
    assert.equal(forged.status, 401);
    assert.deepEqual(orders.refusals.slice(refused), ['missing', 'missing']);
    assert.equal(orders.calls.myOrders, reached, 'neither reached the resolver');
  });

  it('a captured forwarded call cannot be replayed: unchanged, for another operation, later, as another user or method', async () => {
    const u = await registerUser(gh.url);
    const accepted = orders.accepted.length;
    const genuine = await gql<{ myOrders: Order[] }, object>(
      gh.url,
      '{ myOrders { id owner } }',
      {},
      { token: u.accessToken },
    );
    assert.equal(genuine.errors, undefined);
    assert.equal(genuine.data?.myOrders[0]?.owner, u.userId, 'the genuine call passes');
    assert.equal(orders.accepted.length, accepted + 1);
    const captured = orders.accepted.at(-1)!;
    assert.match(captured.body, /myOrders/);
    const calls = { ...orders.calls };

    // Byte for byte what the gateway sent, except the hop-by-hop headers fetch sets itself.
    const sent = Object.fromEntries(
      Object.entries(captured.headers).filter(
        ([name]) => !['host', 'content-length', 'connection', 'transfer-encoding'].includes(name),
      ),
    ) as Record<string, string>;
    const replay = async (change: {
      method?: string;
      body?: string;
      headers?: Record<string, string>;
      url?: string;
    }) => {
      const method = change.method ?? captured.method;
      const res = await fetch(change.url ?? orders.url, {
        method,
        headers: { ...sent, ...change.headers },
        ...(method === 'GET' ? {} : { body: change.body ?? captured.body }),
      });
      await res.arrayBuffer();
      return { status: res.status, reason: orders.refusals.at(-1) };
    };
    const ts = Number(sent['x-gatehouse-timestamp']);
    const other = (query: string, variables?: object) => JSON.stringify({ query, ...(variables ? { variables } : {}) });

    assert.deepEqual(await replay({}), { status: 401, reason: 'replayed' }, '(a) unchanged');
    assert.deepEqual(await replay({ body: other('{ allOrders { id owner } }') }), {
      status: 401,
      reason: 'bad-signature',
    });
    assert.deepEqual(
      await replay({ body: other('query($x: Int) { myOrders { id } }', { x: 1 }) }),
      {
        status: 401,
        reason: 'bad-signature',
      },
      '(b) another body: other variables',
    );
    assert.deepEqual(
      await replay({ headers: { 'x-gatehouse-timestamp': String(ts + 11_000) } }),
      {
        status: 401,
        reason: 'expired',
      },
      '(c) 11 s later',
    );
    assert.deepEqual(await replay({ headers: { 'x-gatehouse-timestamp': String(ts - 11_000) } }), {
      status: 401,
      reason: 'expired',
    });
    assert.deepEqual(
      await replay({ headers: { 'x-gatehouse-user-id': 'someone-else' } }),
      {
        status: 401,
        reason: 'bad-signature',
      },
      '(d) another user',
    );
    assert.deepEqual(await replay({ headers: { 'x-gatehouse-session-id': 'another-session' } }), {
      status: 401,
      reason: 'bad-signature',
    });
    assert.deepEqual(await replay({ method: 'PUT' }), { status: 401, reason: 'bad-signature' }, '(e) another method');
    const asGet = `${orders.url}?query=${encodeURIComponent('{ allOrders { id } }')}`;
    assert.deepEqual(await replay({ method: 'GET', url: asGet }), { status: 401, reason: 'bad-signature' });
    assert.deepEqual(orders.calls, calls, 'no replay reached a resolver');
    assert.equal(orders.accepted.length, accepted + 1);
  });

  it('a client cannot smuggle identity headers through the gateway', async () => {
    await gql(
      gh.url,
      '{ publicInfo }',
      {},
      { headers: { 'x-gatehouse-user-id': 'victim', authorization: 'Bearer forged' } },
    );
    assert.equal(orders.lastHeaders?.['x-gatehouse-user-id'], undefined);
    assert.equal(orders.lastHeaders?.authorization, undefined);
  });

  it('@permission downstream: FORBIDDEN until addPolicy, then allowed', async () => {
    const u = await registerUser(gh.url);
    const denied = await gql(gh.url, '{ allOrders { id } }', {}, { token: u.accessToken });
    assert.equal(codeOf(denied), 'FORBIDDEN');
    assert.equal(orders.calls.allOrders, 0);
    const admin = await loginUser(gh.url, ADMIN.email, ADMIN.password);
    const granted = await gql(
      gh.url,
      'mutation { addPolicy(role: "user", resource: "orders", action: "read") }',
      {},
      {
        token: admin.accessToken,
      },
    );
    assert.equal(granted.errors, undefined);
    const allowed = await gql<{ allOrders: Order[] }, object>(
      gh.url,
      '{ allOrders { id } }',
      {},
      { token: u.accessToken },
    );
    assert.equal(allowed.errors, undefined);
    assert.equal(allowed.data?.allOrders.length, 4);
    assert.equal(orders.calls.allOrders, 1);
  });

  it('Gatehouse’s own guarded fields keep their guard in the merged schema', async () => {
    assert.equal(codeOf(await gql(gh.url, '{ me { id } }')), 'UNAUTHENTICATED');
    const u = await registerUser(gh.url);
    const me = await gql<{ me: { id: string } }, object>(gh.url, '{ me { id } }', {}, { token: u.accessToken });
    assert.equal(me.data?.me.id, u.userId);
  });

  it('honours the Federation-standard @authenticated, @requiresScopes (roles) and @policy of a subgraph SDL', async () => {
    const q = (field: string, token?: string) => gql(gh.url, `{ ${field} { id amount } }`, {}, token ? { token } : {});
    assert.equal(codeOf(await q('invoices')), 'UNAUTHENTICATED');
    const u = await registerUser(gh.url);
    const admin = await loginUser(gh.url, ADMIN.email, ADMIN.password);
    assert.equal(codeOf(await q('adminInvoices', u.accessToken)), 'FORBIDDEN');
    assert.equal(codeOf(await q('auditedInvoices', u.accessToken)), 'FORBIDDEN');
    assert.equal(billing.calls, 0);
    assert.equal((await q('invoices', u.accessToken)).errors, undefined);
    assert.equal((await q('adminInvoices', admin.accessToken)).errors, undefined);
    const grant = 'mutation { addPolicy(role: "user", resource: "invoices", action: "audit") }';
    assert.equal((await gql(gh.url, grant, {}, { token: admin.accessToken })).errors, undefined);
    assert.equal((await q('auditedInvoices', u.accessToken)).errors, undefined);
    assert.equal(billing.calls, 3);
  });

  it('cookie mode: forwards the gh_access token as a Bearer, and only with a valid CSRF token', async () => {
    const headers = { 'x-gatehouse-app': 'web' };
    const reg = await fetch(gh.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', ...headers },
      body: JSON.stringify({
        query: 'mutation($i: RegisterInput!) { register(input: $i) { user { id } } }',
        variables: { i: { email: uniqueEmail('cookie'), password: strongPassword() } },
      }),
    });
    const body = (await reg.json()) as { data: { register: { user: { id: string } } } };
    const jar = new Map(reg.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=') as [string, string]));
    const cookie = `__Host-gh_access=${jar.get('__Host-gh_access')}; __Host-gh_csrf=${jar.get('__Host-gh_csrf')}`;
    const browser = { ...headers, cookie, 'sec-fetch-site': 'same-origin' };
    const calls = orders.calls.myOrders;
    const noCsrf = await gql(gh.url, '{ myOrders { id } }', {}, { headers: browser });
    assert.equal(codeOf(noCsrf), 'FORBIDDEN');
    assert.equal(orders.calls.myOrders, calls);
    const ok = await gql<{ myOrders: Order[] }, object>(
      gh.url,
      '{ myOrders { owner } }',
      {},
      {
        headers: { ...browser, 'x-csrf-token': decodeURIComponent(jar.get('__Host-gh_csrf')!) },
      },
    );
    assert.equal(ok.errors, undefined);
    assert.equal(ok.data?.myOrders[0]?.owner, body.data.register.user.id);
    assert.equal(orders.lastHeaders?.authorization, `Bearer ${decodeURIComponent(jar.get('__Host-gh_access')!)}`);
    assert.equal(orders.lastHeaders?.['x-gatehouse-app'], 'web');
  });

  it('reload swaps in the new downstream SDL without failing requests in flight', async () => {
    assert.equal(codeOf(await gql(gh.url, '{ shipping }')), 'GRAPHQL_VALIDATION_FAILED');
    orders.setExtra('extend type Query { shipping: String! @auth }', { shipping: () => 'tomorrow' });
    const traffic = Promise.all(
      Array.from({ length: 20 }, () => gql<{ publicInfo: string }, object>(gh.url, '{ publicInfo }')),
    );
    await gh.gatehouse.gateway.reload();
    for (const r of await traffic) assert.equal(r.data?.publicInfo, 'open to all');
    assert.equal(codeOf(await gql(gh.url, '{ shipping }')), 'UNAUTHENTICATED', 'the new field is guarded at once');
    const u = await registerUser(gh.url);
    const r = await gql<{ shipping: string }, object>(gh.url, '{ shipping }', {}, { token: u.accessToken });
    assert.equal(r.data?.shipping, 'tomorrow');
  });

  it('start-up fails with a message naming the service and URL when a downstream never answers', async () => {
    const services = gh.gatehouse.services;
    const manifest = { ...services.manifest, downstream: [{ name: 'ghost', url: 'http://127.0.0.1:9/graphql' }] };
    const started = Date.now();
    await assert.rejects(
      createGateway({ ...services, manifest }, gatehouseSchema(), { load: { attempts: 3, delayMs: 20 } }),
      (err: Error) => {
        assert.ok(err instanceof DownstreamUnavailableError);
        assert.match(err.message, /downstream "ghost" \(http:\/\/127\.0\.0\.1:9\/graphql\).*after 3 attempts/);
        return true;
      },
    );
    assert.ok(Date.now() - started >= 60, 'it backed off between attempts');
  });

  it('start-up fails when a downstream would shadow one of Gatehouse’s own fields', async () => {
    const rogue = await startOrdersService('rogue');
    rogue.setExtra('type Mutation { login: String }');
    try {
      const services = gh.gatehouse.services;
      const manifest = { ...services.manifest, downstream: [{ name: 'rogue', url: rogue.url }] };
      await assert.rejects(
        createGateway({ ...services, manifest }, gatehouseSchema()),
        /downstream "rogue": declares Mutation.login, which Gatehouse already declares/,
      );
    } finally {
      await rogue.close();
    }
  });
  it('a downstream that stops answering fails its own fields; the rest stays up and a reload keeps the schema', async () => {
    const u = await registerUser(gh.url);
    // A second gateway over the same services, with short retries, to watch a failing reload.
    const quick = await createGateway(gh.gatehouse.services, gatehouseSchema(), { load: { attempts: 2, delayMs: 20 } });
    const loaded = quick.schema();
    await billing.close();
    const down = await gql(gh.url, '{ invoices { id } }', {}, { token: u.accessToken });
    assert.equal(down.errors?.[0]?.extensions?.code, 'INTERNAL_SERVER_ERROR');
    assert.deepEqual(down.errors?.[0]?.path, ['invoices']);
    assert.equal(JSON.stringify(down.errors).includes(u.accessToken), false, 'no token in errors');
    const me = await gql<{ me: { id: string } }, object>(gh.url, '{ me { id } }', {}, { token: u.accessToken });
    assert.equal(me.data?.me.id, u.userId);
    await assert.rejects(quick.reload(), /downstream "billing" \(http:\/\/127\.0\.0\.1:\d+\/graphql\)/);
    assert.equal(quick.schema(), loaded, 'the failed reload left the schema in place');
  });
});
