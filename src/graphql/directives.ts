import {
  DirectiveLocation,
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
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
