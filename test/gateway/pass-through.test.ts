/**
 * Issue 16: an operation that asks one downstream service only goes to it in one call, as the client
 * wrote it — and answers exactly as the stitched, field-by-field delegation answers (compared here
 * against a second gateway over the same service with pass-through off), with the guards unchanged.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createGraphQLError, createSchema, createYoga } from 'graphql-yoga';
import { createGateway } from '../../src/gateway/index.js';
import { gatehouseSchema } from '../../src/graphql/schema.js';
import { createGatehouseYoga } from '../../src/http/yoga.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { registerUser } from '../helpers/users.js';

const SHOP_SDL = /* GraphQL */ `
  directive @auth(roles: [String!]) on OBJECT | FIELD_DEFINITION | INTERFACE
  type Item { id: ID! name: String! price: Int broken: String }
  type _Service { sdl: String }
  type Query {
    _service: _Service!
    items(first: Int!): [Item!]!
    item(id: ID!): Item
    failing: String
    failingRequired: String!
    coded: String
    secret: String @auth
    garbage: String
    hollow: String
  }
  type Mutation { addItem(name: String!): Item! }
`;

const ITEMS = Array.from({ length: 5 }, (_, i) => ({ id: `item-${i}`, name: `Item ${i}`, price: 10 * i }));

interface Shop {
  url: string;
  /** GraphQL requests the shop served (SDL loads not counted), with their bodies. */
  bodies: string[];
  added: number;
  close(): Promise<void>;
}

async function startShop(): Promise<Shop> {
  const shop: Shop = { url: '', bodies: [], added: 0, close: async () => {} };
  const yoga = createYoga({
    logging: false,
    maskedErrors: false,
    schema: createSchema({
      typeDefs: SHOP_SDL,
      resolvers: {
        Query: {
          _service: () => ({ sdl: SHOP_SDL }),
          items: (_: unknown, { first }: { first: number }) => ITEMS.slice(0, first),
          item: (_: unknown, { id }: { id: string }) => ITEMS.find((i) => i.id === id) ?? null,
          failing: () => {
            throw createGraphQLError('the shop is closed to you', { extensions: { code: 'FORBIDDEN' } });
          },
          failingRequired: () => {
            throw createGraphQLError('nothing to say', { extensions: { code: 'SHOP_SILENT' } });
          },
          coded: () => 'open',
          secret: () => 'for members',
        },
        Item: {
          broken: () => {
            throw createGraphQLError('broken field', { extensions: { code: 'ITEM_BROKEN' } });
          },
        },
        Mutation: {
          addItem: (_: unknown, { name }: { name: string }) => {
            shop.added++;
            return { id: `new-${shop.added}`, name, price: null };
          },
        },
      },
    }),
  });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!body.includes('_service')) shop.bodies.push(body);
      // A misbehaving service: an answer that is not JSON, and JSON that is no GraphQL result.
      if (body.includes('garbage'))
        return void res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
      if (body.includes('hollow')) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      const init: RequestInit = { method: req.method ?? 'POST', headers: req.headers as Record<string, string> };
      if (body) init.body = body;
      void Promise.resolve(yoga.fetch(`http://127.0.0.1${req.url ?? '/graphql'}`, init)).then(async (answer) => {
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  shop.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  shop.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return shop;
}

interface Answer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; locations?: unknown; extensions?: { code?: string } }[];
}

/** One operation over HTTP, as a client sends it (gql() of the helpers sends no operationName). */
async function ask(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  opts: { token?: string; operationName?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const body = JSON.stringify({
    query,
    variables,
    ...(opts.operationName ? { operationName: opts.operationName } : {}),
  });
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, ...((await res.json()) as Omit<Answer, 'status'>) };
}

const withoutLocations = (r: Answer) => ({
  status: r.status,
  data: r.data,
  errors: r.errors?.map(({ locations: _, ...rest }) => rest),
});

describe('gateway pass-through: one service’s operation in one call, answered as stitching answers', () => {
  let shop: Shop;
  let gh: TestInstance;
  let stitchedServer: Server;
  let stitchedUrl: string;
  let token: string;

  before(async () => {
    shop = await startShop();
    gh = await startGatehouse({
      manifest: {
        apps: [
          { slug: 'test', auth: { users: { allow_registration: true } } },
          { slug: 'locked', auth: { users: { allow_registration: true }, policy: { required: true } } },
        ],
        downstream: [{ name: 'shop', url: shop.url }],
      },
    });
    // The same service behind a gateway that delegates field by field: the reference answers.
    const stitched = await createGateway(gh.gatehouse.services, gatehouseSchema(), { passThrough: false });
    const yoga = createGatehouseYoga(gh.gatehouse.services, { schema: () => stitched.schema() });
    stitchedServer = createServer(yoga);
    await new Promise<void>((resolve) => stitchedServer.listen(0, '127.0.0.1', resolve));
    stitchedUrl = `http://127.0.0.1:${(stitchedServer.address() as AddressInfo).port}/graphql`;
    token = (await registerUser(gh.url)).accessToken;
  });
  after(async () => {
    await new Promise<void>((resolve) => stitchedServer?.close(() => resolve()));
    await gh?.close();
    await shop?.close();
  });

  /** Asks both gateways; returns the pass-through answer and how many calls it made to the shop. */
  async function both(query: string, variables: Record<string, unknown> = {}, operationName?: string) {
    const opts = operationName ? { token, operationName } : { token };
    const before = shop.bodies.length;
    const passed = await ask(gh.url, query, variables, opts);
    const calls = shop.bodies.slice(before);
    const reference = await ask(stitchedUrl, query, variables, opts);
    assert.deepEqual(withoutLocations(passed), withoutLocations(reference), `the answers to ${query} differ`);
    return { passed, calls };
  }

  it('a plain query: the same answer, one call carrying the client’s operation', async () => {
    const { passed, calls } = await both('{ items(first: 2) { id name } }');
    assert.deepEqual(passed.data, { items: ITEMS.slice(0, 2).map(({ id, name }) => ({ id, name })) });
    assert.equal(calls.length, 1);
    assert.match(JSON.parse(calls[0]!).query, /items\(first: 2\)/);
  });

  it('aliases, fragments, inline fragments, variables and __typename: one call for several root fields', async () => {
    const query = `query Q($n: Int!, $id: ID!) {
      a: items(first: $n) { ...F }
      b: item(id: $id) { ... on Item { price } }
      __typename
      coded
    }
    fragment F on Item { id name }`;
    const { passed, calls } = await both(query, { n: 3, id: 'item-1' });
    assert.equal(passed.data?.__typename, 'Query');
    assert.deepEqual(passed.data?.b, { price: 10 });
    assert.equal(calls.length, 1, 'stitching would call once per root field');
  });

  it('errors of fields inside lists keep their paths, masked as any downstream error, located in the client’s document', async () => {
    const query = '{ items(first: 2) { id broken } }';
    const { passed } = await both(query);
    assert.equal(passed.errors?.length, 2);
    assert.deepEqual(passed.errors?.[1]?.path, ['items', 1, 'broken']);
    assert.equal(passed.errors?.[0]?.extensions?.code, 'INTERNAL_SERVER_ERROR', 'ITEM_BROKEN is not a public code');
    assert.equal(passed.errors?.[0]?.message, 'Unexpected error.');
    assert.deepEqual(passed.errors?.[0]?.locations, [{ line: 1, column: query.indexOf('broken') + 1 }]);
  });

  it('a failing nullable root field beside a working one, and a failing non-null one', async () => {
    const nullable = await both('{ failing coded }');
    assert.deepEqual(nullable.passed.data, { failing: null, coded: 'open' });
    assert.equal(codeOf(nullable.passed), 'FORBIDDEN', 'a public code passes');
    assert.equal(nullable.passed.errors?.[0]?.message, 'the shop is closed to you');
    const required = await both('{ failingRequired }');
    assert.equal(required.passed.data ?? null, null);
    assert.equal(codeOf(required.passed), 'INTERNAL_SERVER_ERROR');
  });

  it('@skip / @include with variables', async () => {
    const { passed } = await both(
      'query($s: Boolean!) { items(first: 1) @skip(if: $s) { id } coded @include(if: $s) }',
      {
        s: true,
      },
    );
    assert.deepEqual(passed.data, { coded: 'open' });
  });

  it('variables the operation refuses are refused by the gateway, and nothing goes down', async () => {
    const { passed, calls } = await both('query($n: Int!) { items(first: $n) { id } }', { n: 'three' });
    assert.equal(codeOf(passed), 'BAD_USER_INPUT');
    assert.equal(calls.length, 0);
  });

  it('only the variables the operation defines go down; an unknown operation name is answered as execution answers it', async () => {
    const { calls } = await both('query($n: Int!) { items(first: $n) { id } }', { n: 1, smuggled: 'x'.repeat(100) });
    assert.deepEqual(JSON.parse(calls[0]!).variables, { n: 1 });
    for (let i = 0; i < 3; i++) {
      const { passed, calls: none } = await both('query Q { coded }', {}, `Nope${i}`);
      assert.equal(passed.errors?.[0]?.message, 'Could not determine what operation to execute.');
      assert.equal(none.length, 0);
    }
  });

  it('a mutation runs once, with the same answer', async () => {
    const added = shop.added;
    const { passed, calls } = await both('mutation { addItem(name: "lamp") { name price } }');
    assert.deepEqual(passed.data, { addItem: { name: 'lamp', price: null } });
    assert.equal(calls.length, 1);
    assert.equal(shop.added, added + 2, 'once per gateway');
  });

  it('of a document with several operations, only the chosen one and its fragments go down', async () => {
    const query =
      'query Own { me { id } } query Shop { items(first: 1) { ...F } } fragment F on Item { id } fragment G on Item { name }';
    const broken = await ask(gh.url, query, {}, { token, operationName: 'Shop' });
    // An unused fragment is a validation error for the whole document, before anything runs.
    assert.equal(codeOf(broken), 'GRAPHQL_VALIDATION_FAILED');
    const { passed, calls } = await both(query.replace(' fragment G on Item { name }', ''), {}, 'Shop');
    assert.deepEqual(passed.data, { items: [{ id: 'item-0' }] });
    const sent = JSON.parse(calls[0]!).query as string;
    assert.match(sent, /fragment F on Item/);
    assert.doesNotMatch(sent, /\bme\b/, 'the other operation stays at the gateway');
  });

  it('an operation that also asks Gatehouse is stitched, and answers both parts', async () => {
    const r = await gql<{ coded: string; me: { id: string } }, object>(gh.url, '{ coded me { id } }', {}, { token });
    assert.equal(r.errors, undefined);
    assert.equal(r.data?.coded, 'open');
    assert.ok(r.data?.me.id);
  });

  it('the guards decide before the call: an anonymous @auth request is refused and sends nothing', async () => {
    const before = shop.bodies.length;
    const refused = await gql(gh.url, '{ coded secret }');
    assert.equal(codeOf(refused), 'UNAUTHENTICATED');
    assert.equal(refused.data ?? null, null);
    const aliased = await gql(gh.url, '{ a: coded ...S } fragment S on Query { b: secret }');
    assert.equal(codeOf(aliased), 'UNAUTHENTICATED');
    const batched = await fetch(gh.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ coded }' }, { query: '{ secret }' }]),
    }).then((r) => r.json() as Promise<Answer[]>);
    assert.equal(batched[1]?.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.equal(shop.bodies.length - before, batched[0]?.data ? 1 : 0, 'only the allowed operation went down');
    const allowed = await gql<{ secret: string }, object>(gh.url, '{ secret }', {}, { token });
    assert.equal(allowed.data?.secret, 'for members');
  });

  it('a service answering with no GraphQL result: the same masked error at each root field', async () => {
    for (const query of ['{ garbage }', '{ hollow }']) {
      const { passed } = await both(query);
      assert.equal(codeOf(passed), 'INTERNAL_SERVER_ERROR');
      assert.equal(passed.errors?.[0]?.message, 'Unexpected error.');
      assert.deepEqual(passed.errors?.[0]?.path, [query.includes('garbage') ? 'garbage' : 'hollow']);
    }
  });

  it('an app with policy.required: every downstream root field needs a token there, before any call', async () => {
    const before = shop.bodies.length;
    const refused = await fetch(gh.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gatehouse-app': 'locked' },
      body: JSON.stringify({ query: '{ coded a: items(first: 1) { id } }' }),
    }).then((r) => r.json() as Promise<Answer>);
    assert.equal(refused.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.equal(shop.bodies.length, before, 'nothing went down');
    const member = await registerUser(gh.url, { headers: { 'x-gatehouse-app': 'locked' } });
    const allowed = await fetch(gh.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gatehouse-app': 'locked',
        authorization: `Bearer ${member.accessToken}`,
      },
      body: JSON.stringify({ query: '{ coded }' }),
    }).then((r) => r.json() as Promise<Answer>);
    assert.deepEqual(allowed.data, { coded: 'open' });
    assert.equal(shop.bodies.length, before + 1);
    // The other app's token is no key to this one.
    const crossed = await fetch(gh.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gatehouse-app': 'locked', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ coded }' }),
    }).then((r) => r.json() as Promise<Answer>);
    assert.equal(crossed.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.equal(shop.bodies.length, before + 1);
  });

  // Last: it stops the shop.
  it('a service that stops answering: every root field fails as a failed delegation fails it', async () => {
    await shop.close();
    const nullable = await both('{ coded __typename }');
    assert.deepEqual(nullable.passed.data, { coded: null, __typename: 'Query' });
    assert.deepEqual(nullable.passed.errors?.[0]?.path, ['coded']);
    assert.equal(codeOf(nullable.passed), 'INTERNAL_SERVER_ERROR');
    const required = await both('{ a: items(first: 1) { id } }');
    assert.equal(required.passed.data ?? null, null);
    assert.deepEqual(required.passed.errors?.[0]?.path, ['a']);
  });
});
