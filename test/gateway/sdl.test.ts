import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getDirectiveExtensions } from '@graphql-tools/utils';
import { buildASTSchema, type GraphQLObjectType } from 'graphql';
import { DownstreamSdlError, prepareDownstreamSdl } from '../../src/gateway/sdl.js';
import { requirementOf } from '../../src/vocabulary/index.js';

const build = (sdl: string) => buildASTSchema(prepareDownstreamSdl('orders', sdl));
const query = (sdl: string) => build(sdl).getQueryType() as GraphQLObjectType;

describe('downstream SDL preparation', () => {
  it('keeps @auth / @permission, replacing the service’s own definitions with the canonical ones', () => {
    const schema = build(/* GraphQL */ `
      directive @auth(roles: [String!]) on FIELD_DEFINITION
      directive @permission(resource: String!, action: String!) on FIELD_DEFINITION
      type Query {
        publicInfo: String!
        myOrders: [String!]! @auth
        allOrders: [String!]! @permission(resource: "orders", action: "read")
      }
    `);
    const q = schema.getQueryType()!;
    assert.equal(schema.getDirective('permission')?.isRepeatable, true, 'canonical definition, not the service’s');
    assert.deepEqual([...(schema.getDirective('auth')?.locations ?? [])].sort(), [
      'FIELD_DEFINITION',
      'INTERFACE',
      'OBJECT',
    ]);
    assert.equal(requirementOf(schema, q, q.getFields().publicInfo!).authenticated, false);
    assert.equal(requirementOf(schema, q, q.getFields().myOrders!).authenticated, true);
    assert.deepEqual(requirementOf(schema, q, q.getFields().allOrders!).permissions, [
      { resource: 'orders', action: 'read' },
    ]);
  });

  it('turns a Federation v2 subgraph SDL into a stitchable one, following @link imports and renames', () => {
    const schema = build(/* GraphQL */ `
      extend schema
        @link(url: "https://specs.apollo.dev/federation/v2.6",
              import: ["@key", "@shareable", { name: "@policy", as: "@mustHave" }, "@authenticated"])
        @link(url: "https://gatehouse.dev/authz/v1.0", import: ["@auth"])
        @composeDirective(name: "@auth")
      directive @auth(roles: [String!]) on FIELD_DEFINITION | INTERFACE | OBJECT
      type Order @key(fields: "id") @shareable { id: ID! total: Int! }
      type Query {
        _service: _Service!
        _entities(representations: [_Any!]!): [_Entity]!
        orders: [Order!]! @authenticated
        audit: [Order!]! @mustHave(policies: [["audit:read"]])
        scoped: Int @federation__requiresScopes(scopes: [["admin"], ["auditor"]])
        namespaced: Int @authz__permission(resource: "orders", action: "write")
        admin: Int @auth(roles: ["admin"])
      }
      scalar _Any
      union _Entity = Order
      type _Service { sdl: String }
    `);
    const q = schema.getQueryType()!;
    const fields = q.getFields();
    assert.deepEqual(Object.keys(fields).sort(), ['admin', 'audit', 'namespaced', 'orders', 'scoped']);
    for (const gone of ['_Any', '_Entity', '_Service']) assert.equal(schema.getType(gone), undefined, gone);
    const req = (name: string) => requirementOf(schema, q, fields[name]!);
    assert.equal(req('orders').authenticated, true);
    assert.deepEqual(req('audit').policyAlternatives, [[['audit:read']]]);
    assert.deepEqual(req('scoped').scopeAlternatives, [[['admin'], ['auditor']]]);
    assert.deepEqual(req('namespaced').permissions, [{ resource: 'orders', action: 'write' }]);
    assert.deepEqual(req('admin').roleSets, [['admin']]);
    assert.deepEqual(
      getDirectiveExtensions(schema.getType('Order')!, schema),
      {},
      'federation-only directives are dropped',
    );
  });

  it('defines root types a Federation v1 subgraph only extends, and drops unknown directives', () => {
    const q = query(/* GraphQL */ `
      extend type Query { legacy: String @auth @someRouterThing }
    `);
    assert.deepEqual(Object.keys(q.getFields()), ['legacy']);
    assert.deepEqual(Object.keys(getDirectiveExtensions(q.getFields().legacy!)), ['auth']);
  });

  it('fails naming the service on SDL that does not parse', () => {
    assert.throws(
      () => prepareDownstreamSdl('orders', 'type Query {'),
      (err: Error) => {
        assert.ok(err instanceof DownstreamSdlError);
        assert.match(err.message, /^downstream "orders": its SDL does not parse/);
        return true;
      },
    );
  });
});
