import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { useCachedGatehouseAuth } from '../../src/graphql/auth-cache.js';
import { useGatehouseAuth } from '../../src/graphql/auth-plugin.js';
import type { Services } from '../../src/services.js';
import { GATEHOUSE_DIRECTIVES_SDL } from '../../src/vocabulary/index.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { testManifest } from '../helpers/manifest.js';

/**
 * auth-cache.ts must change nothing but speed: every request gets the same status and body, and
 * the same resolvers run, as with generic-auth's own per-request pass (useGatehouseAuth).
 */
const typeDefs = /* GraphQL */ `
  ${GATEHOUSE_DIRECTIVES_SDL}
  interface Node { id: ID! }
  type Secret implements Node @auth(roles: ["admin"]) { id: ID! code: String! }
  type Note implements Node { id: ID! text: String! }
  union Thing = Secret | Note
  type Query {
    open: String!
    me: String! @auth
    adminOnly: String! @auth(roles: ["admin"])
    reports: [String!]! @permission(resource: "reports", action: "read")
    audit: String! @permission(resource: "reports", action: "read") @permission(resource: "audit", action: "read")
    node(id: ID!): Node
    thing(id: ID!): Thing
    fast: Boolean!
  }
  type Mutation { touch: Boolean! @auth }
`;

/** Whether generic-auth's extended-validation prepared this context (its pass ran for the request). */
const validationRan = (ctx: object) =>
  Object.getOwnPropertySymbols(ctx).some((s) => s.description === 'extendedValidationContext');

function server(services: Services, auth: () => Plugin, calls: Map<string, number>) {
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  const resolve = (name: string, value: unknown) => () => {
    count(name);
    return value;
  };
  const stale: Services = { ...services, revocations: { ...services.revocations, isFresh: () => false } };
  const app = services.manifest.apps[0]!;
  // policy.required: root fields nobody reviewed as public need a token too (validateField decides).
  const required = { ...app, policy: { ...app.policy, required: true } };
  return createYoga({
    logging: false,
    schema: createSchema<Record<string, unknown>>({
      typeDefs,
      resolvers: {
        Node: { __resolveType: (o: { code?: string }) => (o.code ? 'Secret' : 'Note') },
        Thing: { __resolveType: (o: { code?: string }) => (o.code ? 'Secret' : 'Note') },
        Query: {
          open: resolve('open', 'open'),
          me: resolve('me', 'me'),
          adminOnly: resolve('adminOnly', 'top'),
          reports: resolve('reports', ['q1']),
          audit: resolve('audit', 'trail'),
          node: (_: unknown, { id }: { id: string }) => {
            count('node');
            return id === 's1' ? { id, code: 'xyzzy' } : { id, text: 'hello' };
          },
          thing: (_: unknown, { id }: { id: string }) => {
            count('thing');
            return id === 's1' ? { id, code: 'xyzzy' } : { id, text: 'hello' };
          },
          fast: (_: unknown, __: unknown, ctx: unknown) => !validationRan(ctx as object),
        },
        Mutation: { touch: resolve('touch', true) },
      },
    }),
    context: ({ request }): Record<string, unknown> => ({
      services: request.headers.get('x-stale') ? stale : services,
      app: request.headers.get('x-required') ? required : app,
      clientIp: '127.0.0.1',
      userAgent: undefined,
    }),
    plugins: [auth()],
  });
}

const DOCUMENTS: { query: string; variables?: Record<string, unknown>; operationName?: string }[] = [
  { query: '{ open }' },
  { query: '{ open me }' },
  { query: '{ me adminOnly }' },
  { query: '{ a: reports b: reports open }' },
  { query: '{ audit }' },
  { query: '{ ...F } fragment F on Query { me reports }' },
  { query: 'query Q($on: Boolean!) { open adminOnly @include(if: $on) }', variables: { on: false } },
  { query: 'query Q($on: Boolean!) { open adminOnly @include(if: $on) }', variables: { on: true } },
  { query: 'query Q($off: Boolean!) { me @skip(if: $off) open }', variables: { off: true } },
  { query: '{ node(id: "s1") { id ... on Secret { code } } }' },
  { query: '{ node(id: "n1") { id } }' },
  { query: '{ node(id: "n1") { ... on Note { text } } }' },
  { query: '{ thing(id: "s1") { __typename ... on Secret { code } ... on Note { text } } }' },
  { query: '{ thing(id: "n1") { __typename } }' },
  { query: '{ __typename __schema { queryType { name } } }' },
  { query: 'query A { open } query B { adminOnly }', operationName: 'A' },
  { query: 'query A { open } query B { adminOnly }', operationName: 'B' },
  { query: 'mutation { touch }' },
  // Refusal paths as generic-auth reports them: a fragment defined before the spreads, spread twice, lists.
  { query: 'fragment S on Secret { code } query { node(id: "s1") { ...S } thing(id: "s1") { ...S } reports }' },
  { query: '{ ...F } fragment F on Query { adminOnly node(id: "s1") { ... on Secret { code } } }' },
  { query: 'query Q($id: ID!) { node(id: $id) { id } me adminOnly audit }', variables: { id: 's1' } },
  { query: '{ nope }' },
  { query: '{ me' },
];

describe('auth-cache: generic-auth validation cached per document', () => {
  let gh: TestInstance;
  const callsA = new Map<string, number>();
  const callsB = new Map<string, number>();
  let a: ReturnType<typeof server>;
  let b: ReturnType<typeof server>;
  const callers: Record<string, Record<string, string>> = {};

  before(async () => {
    gh = await startGatehouse({
      manifest: testManifest({
        policy: {
          authorization: {
            initial_policies: [
              ['admin', 'reports', 'read'],
              ['auditor', 'audit', 'read'],
            ],
          },
        },
      }),
    });
    const s = gh.gatehouse.services;
    const app = s.manifest.apps[0]!;
    const authz = s.authz(app.slug);
    const token = async (userId: string, roles: string[], sessionId = `sid-${userId}`) => {
      for (const r of roles) await authz.grantRole(app.slug, userId, r);
      return (await s.tokens.issue(app, { userId, sessionId, roles })).token;
    };
    callers.anonymous = {};
    callers.user = { authorization: `Bearer ${await token('u-plain', [])}` };
    callers.admin = { authorization: `Bearer ${await token('u-admin', ['admin'])}` };
    callers.auditor = { authorization: `Bearer ${await token('u-auditor', ['admin', 'auditor'])}` };
    callers.garbage = { authorization: 'Bearer not.a.token' };
    callers.malformed = { authorization: 'Basic abc' };
    callers.revoked = { authorization: `Bearer ${await token('u-gone', ['admin'], 'sid-revoked')}` };
    await s.revocations.publish(app.slug, ['sid-revoked'], 'logout');
    callers.staleFeed = { ...callers.admin, 'x-stale': '1' };
    callers.anonymousRequired = { 'x-required': '1' };
    callers.userRequired = { ...callers.user, 'x-required': '1' };
    a = server(s, useGatehouseAuth as () => Plugin, callsA);
    b = server(s, useCachedGatehouseAuth as () => Plugin, callsB);
  });
  after(() => gh.close());

  const send = async (yoga: ReturnType<typeof server>, headers: Record<string, string>, doc: object) => {
    const res = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(doc),
    });
    return { status: res.status, body: await res.text() };
  };

  it('answers every caller and document exactly as generic-auth does, twice (cold and cached plan)', async () => {
    for (let pass = 0; pass < 2; pass++) {
      for (const [who, headers] of Object.entries(callers)) {
        for (const doc of DOCUMENTS) {
          const [x, y] = [await send(a, headers, doc), await send(b, headers, doc)];
          assert.deepEqual(y, x, `${who}: ${JSON.stringify(doc)}`);
        }
      }
    }
    assert.deepEqual(Object.fromEntries(callsB), Object.fromEntries(callsA), 'the same resolvers ran');
    assert.ok((callsA.get('adminOnly') ?? 0) > 0 && (callsA.get('me') ?? 0) > 0, 'allowed fields were served');
  });

  it('refuses with generic-auth’s error types: UNAUTHENTICATED, FORBIDDEN, SERVICE_UNAVAILABLE', async () => {
    const code = async (headers: Record<string, string>, query: string) => {
      const r = await send(b, headers, { query });
      return { status: r.status, code: JSON.parse(r.body).errors?.[0]?.extensions?.code };
    };
    assert.deepEqual(await code(callers.anonymous!, '{ me }'), { status: 401, code: 'UNAUTHENTICATED' });
    assert.deepEqual(await code(callers.revoked!, '{ me }'), { status: 401, code: 'UNAUTHENTICATED' });
    assert.deepEqual(await code(callers.user!, '{ adminOnly }'), { status: 403, code: 'FORBIDDEN' });
    assert.deepEqual(await code(callers.admin!, '{ audit }'), { status: 403, code: 'FORBIDDEN' });
    assert.deepEqual(await code(callers.staleFeed!, '{ me }'), { status: 503, code: 'SERVICE_UNAVAILABLE' });
    assert.deepEqual(await code(callers.anonymousRequired!, '{ open }'), { status: 401, code: 'UNAUTHENTICATED' });
  });

  it('skips generic-auth’s pass when nothing is refused, and only then', async () => {
    const fast = async (yoga: ReturnType<typeof server>, headers: Record<string, string>, query: string) =>
      JSON.parse((await send(yoga, headers, { query })).body).data?.fast;
    assert.equal(
      await fast(b, callers.admin!, '{ fast me adminOnly }'),
      true,
      'cached: allowed request skips the pass',
    );
    assert.equal(await fast(b, callers.anonymous!, '{ fast open }'), true, 'cached: public document skips the pass');
    assert.equal(await fast(a, callers.admin!, '{ fast me adminOnly }'), false, 'generic-auth runs its pass always');
  });

  it('matches generic-auth on random selections, aliases, fragments and @include', async () => {
    const fields = [
      'open',
      'me',
      'adminOnly',
      'reports',
      'audit',
      'node(id: "s1") { id }',
      'thing(id: "n1") { __typename }',
    ];
    const selection = fc.record({
      field: fc.constantFrom(...fields),
      alias: fc.option(fc.constantFrom('x', 'y', 'z'), { nil: undefined }),
      include: fc.option(fc.boolean(), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(selection, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...Object.keys(callers)),
        fc.boolean(),
        fc.boolean(),
        async (picks, who, inFragment, flag) => {
          const used = new Set<string>();
          const parts = picks
            .map((p, i) => {
              const key = `${p.alias ?? 'k'}${i}`;
              if (used.has(key)) return '';
              used.add(key);
              const dir = p.include === undefined ? '' : ` @include(if: ${p.include ? '$flag' : 'true'})`;
              return `${key}: ${p.field}${dir}`;
            })
            .join(' ');
          const query = inFragment
            ? `query Q($flag: Boolean!) { ...F } fragment F on Query { ${parts} }`
            : `query Q($flag: Boolean!) { ${parts} }`;
          const doc = { query, variables: { flag } };
          const headers = callers[who]!;
          assert.deepEqual(await send(b, headers, doc), await send(a, headers, doc), `${who}: ${query}`);
        },
      ),
      { numRuns: 60 },
    );
  });
});
