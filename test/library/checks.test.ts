import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchema, parse } from 'graphql';
import { type CallerChecks, meets, needsOf, policyPermission } from '../../src/library/index.js';
import { AUTH_DIRECTIVES_SDL, requirementOf } from '../../src/vocabulary/index.js';

const schema = buildSchema(/* GraphQL */ `
  ${AUTH_DIRECTIVES_SDL}
  type Order { id: ID! secret: String @permission(resource: "orders", action: "audit") }
  type Query {
    open: String
    mine: [Order!]! @auth
    admin: Int @auth(roles: ["admin", "owner"])
    all: [Order!]! @permission(resource: "orders", action: "read")
    either: Int @policy(policies: [["orders:read", "orders:write"], ["billing:admin"]])
    scoped: Int @requiresScopes(scopes: [["ops"]])
  }
`);
const q = schema.getQueryType()!;
const req = (f: string) => requirementOf(schema, q, q.getFields()[f]!);
const caller = (roles: string[], perms: string[]): CallerChecks => ({
  hasRole: (r) => roles.includes(r),
  can: (r, a) => perms.includes(`${r}:${a}`),
});

describe('requirement checks', () => {
  it('meets: roles (one of), permissions (all), scopes and policies (one alternative in full)', () => {
    assert.equal(meets(req('mine'), caller([], [])), true);
    assert.equal(meets(req('admin'), caller(['owner'], [])), true);
    assert.equal(meets(req('admin'), caller(['user'], [])), false);
    assert.equal(meets(req('all'), caller([], ['orders:read'])), true);
    assert.equal(meets(req('all'), caller([], ['orders:write'])), false);
    assert.equal(meets(req('either'), caller([], ['orders:read'])), false);
    assert.equal(meets(req('either'), caller([], ['orders:read', 'orders:write'])), true);
    assert.equal(meets(req('either'), caller([], ['billing:admin'])), true);
    assert.equal(meets(req('scoped'), caller(['ops'], [])), true);
    assert.equal(meets(req('scoped'), caller([], ['ops:ops'])), false);
  });

  it('policyPermission splits at the last colon and refuses empty halves', () => {
    assert.deepEqual(policyPermission('urn:orders:read'), { resource: 'urn:orders', action: 'read' });
    assert.equal(policyPermission('orders'), undefined);
    assert.equal(policyPermission(':read'), undefined);
    assert.equal(policyPermission('orders:'), undefined);
  });

  it('needsOf collects what the selected guarded fields ask, through fragments, once per document', () => {
    const doc = parse('{ open all { ...F } either } fragment F on Order { id secret }');
    const needs = needsOf(schema, doc);
    assert.equal(needs.any, true);
    assert.equal(needs.roles, false);
    assert.deepEqual(needs.permissions.map((p) => `${p.resource}:${p.action}`).sort(), [
      'billing:admin',
      'orders:audit',
      'orders:read',
      'orders:write',
    ]);
    assert.equal(needsOf(schema, doc), needs, 'memoized');
    assert.equal(needsOf(schema, parse('{ admin }')).roles, true);
    assert.equal(needsOf(schema, parse('{ open }')).any, false);
  });
});
