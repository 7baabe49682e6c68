import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchema, type FieldNode, type OperationDefinitionNode, parse } from 'graphql';
import { bearerToken, FORBIDDEN, planFor, refusal, refusalError, requestBearer } from '../../src/enforcement/index.js';
import { AUTH_DIRECTIVES_SDL } from '../../src/vocabulary/index.js';

const schema = buildSchema(/* GraphQL */ `
  ${AUTH_DIRECTIVES_SDL}
  type A { id: ID! secret: String @auth }
  type B { id: ID! }
  union AB = A | B
  type Query { a: A @auth ab: AB open: String }
`);

describe('the enforcement core', () => {
  it('takes a Bearer token from a header, a Fetch request or a Node request, and nothing malformed', () => {
    assert.equal(bearerToken('Bearer abc.def-_~+/='), 'abc.def-_~+/=');
    assert.equal(bearerToken('bearer x'), 'x');
    for (const h of [null, undefined, '', 'Basic abc', 'Bearer ', 'Bearer a b', `Bearer ${'x'.repeat(4097)}`])
      assert.equal(bearerToken(h), undefined, String(h));
    const request = new Request('http://x/', { headers: { authorization: 'Bearer t1' } });
    assert.equal(requestBearer({ request }), 't1');
    assert.equal(requestBearer({ req: { headers: { authorization: 'Bearer t2' } } }), 't2');
    assert.equal(requestBearer({}), undefined);
  });

  it('refusals carry the code, the usual message and status, and a reason when given', () => {
    const operation = parse('{ open }').definitions[0] as OperationDefinitionNode;
    const field = operation.selectionSet.selections[0] as FieldNode;
    assert.deepEqual(refusalError(FORBIDDEN, field, ['open']).toJSON(), {
      message: 'Forbidden',
      locations: [{ line: 1, column: 3 }],
      path: ['open'],
      extensions: { code: 'FORBIDDEN', http: { status: 403 } },
    });
    const r = refusal('FORBIDDEN', 'Set up two-factor authentication first', 'MFA_ENROLLMENT_REQUIRED');
    assert.deepEqual(refusalError(r, field, []).extensions, {
      code: 'FORBIDDEN',
      reason: 'MFA_ENROLLMENT_REQUIRED',
      http: { status: 403 },
    });
    assert.equal(refusal('SERVICE_UNAVAILABLE').status, 503);
    assert.equal(refusal('UNAUTHENTICATED').message, 'Authentication required');
  });

  it('plans each distinct (parent, field) once: every operation and fragment, union members, no introspection', () => {
    const doc = parse(`
      query X { a { id secret } b: a { secret } ab { __typename ... on A { id } } __schema { queryType { name } } }
      query Y { open ...F }
      fragment F on Query { a { id } }
    `);
    const plan = planFor(schema, doc);
    assert.deepEqual(
      plan.map((c) => `${c.parentType.name}.${c.field.name}`),
      ['Query.a', 'A.id', 'A.secret', 'Query.ab', 'Query.open'],
    );
    assert.equal(planFor(schema, doc), plan, 'cached per document');
    assert.notEqual(planFor(schema, parse('{ open }')), plan);
  });
});
