import { astFromDirective } from '@graphql-tools/utils';
import {
  DirectiveLocation,
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
  print,
  specifiedDirectives,
} from 'graphql';

/** `@auth(roles:, allowAnonymous:)`: a valid token is required; with roles, one of them too. */
export const authDirective = new GraphQLDirective({
  name: 'auth',
  description:
    'Requires a valid Gatehouse access token; with `roles`, the caller must hold one of them; with `allowAnonymous: false`, anonymous users are refused.',
  locations: [DirectiveLocation.OBJECT, DirectiveLocation.FIELD_DEFINITION, DirectiveLocation.INTERFACE],
  args: {
    roles: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
    // No default value: an SDL that omits it (every service written before it existed) means the same.
    allowAnonymous: { type: GraphQLBoolean },
  },
});

/** `@permission(resource:, action:)`: the caller's live policy must allow the action on the resource. */
export const permissionDirective = new GraphQLDirective({
  name: 'permission',
  description: "Requires the caller's current roles and policies to allow `action` on `resource`.",
  locations: [DirectiveLocation.OBJECT, DirectiveLocation.FIELD_DEFINITION, DirectiveLocation.INTERFACE],
  isRepeatable: true,
  args: {
    resource: { type: new GraphQLNonNull(GraphQLString) },
    action: { type: new GraphQLNonNull(GraphQLString) },
  },
});

/** Every directive the schema defines; the specified ones must stay, or `@include`/`@skip` break. */
export const schemaDirectives = [...specifiedDirectives, authDirective, permissionDirective];

export interface AuthDirectiveArgs {
  roles?: string[] | null;
  allowAnonymous?: boolean | null;
}
export interface PermissionDirectiveArgs {
  resource: string;
  action: string;
}

/**
 * Gatehouse's @auth / @permission definitions, printed from the ones its own schema uses. A service
 * that declares them copies these verbatim: Federation composition demands identical definitions.
 */
export const GATEHOUSE_DIRECTIVES_SDL = [authDirective, permissionDirective]
  .map((d) => print(astFromDirective(d)))
  .join('\n');

/**
 * The directives enforcement reads, defined once for every merged schema: Gatehouse's own two and
 * the Federation-standard three with plain String arguments (Federation's `federation__Scope` and
 * `federation__Policy` are strings), so a subgraph SDL written for a router means the same here.
 */
export const AUTH_DIRECTIVES_SDL = /* GraphQL */ `${GATEHOUSE_DIRECTIVES_SDL}
  directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
  directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
`;
