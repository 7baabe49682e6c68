import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';

/**
 * A downstream whose guards sit on types, not fields: the shapes a `{ field { __typename } }`
 * bypass would target (a guarded object, a union with a guarded member, an interface with a
 * guarded implementation), plus a field closed to anonymous users. Counts every resolver call.
 */
export const VAULT_SDL = /* GraphQL */ `
  directive @auth(roles: [String!], allowAnonymous: Boolean) on OBJECT | FIELD_DEFINITION | INTERFACE
  directive @permission(resource: String!, action: String!) repeatable on OBJECT | FIELD_DEFINITION | INTERFACE
  type Secret @permission(resource: "vault", action: "read") { id: ID! value: String! }
  type Wiped @auth(roles: ["admin"]) { count: Int! }
  type Open { id: ID! }
  type Locked implements Thing @auth { id: ID! }
  type Plain implements Thing { id: ID! }
  interface Thing { id: ID! }
  union Anything = Secret | Open
  type Query {
    vaultInfo: String!
    secret: Secret
    anything: Anything
    thing: Thing
    members: String! @auth(allowAnonymous: false)
    lobby: String! @auth
  }
  type Mutation { wipeAll: Wiped! }
`;

export interface VaultService {
  name: string;
  url: string;
  /** Resolver calls by field name. */
  calls: Record<string, number>;
  close(): Promise<void>;
}

export async function startVaultService(name = 'vault'): Promise<VaultService> {
  const calls: Record<string, number> = {};
  const count =
    <T>(field: string, value: T) =>
    () => {
      calls[field] = (calls[field] ?? 0) + 1;
      return value;
    };
  const schema = createSchema({
    typeDefs: [VAULT_SDL, 'type _Service { sdl: String } extend type Query { _service: _Service! }'],
    resolvers: {
      Query: {
        _service: () => ({ sdl: VAULT_SDL }),
        vaultInfo: count('vaultInfo', 'vault is open'),
        secret: count('secret', { id: 's1', value: 'the crown jewels' }),
        anything: count('anything', { __typename: 'Secret', id: 's1', value: 'the crown jewels' }),
        thing: count('thing', { __typename: 'Locked', id: 'l1' }),
        members: count('members', 'members only'),
        lobby: count('lobby', 'any token'),
      },
      Mutation: { wipeAll: count('wipeAll', { count: 3 }) },
      Anything: { __resolveType: (o: { __typename: string }) => o.__typename },
      Thing: { __resolveType: (o: { __typename: string }) => o.__typename },
    },
  });
  const server = createServer(createYoga({ schema, logging: false }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
