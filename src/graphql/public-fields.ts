/**
 * Root fields that are deliberately reachable without `@auth` or `@permission`.
 * A schema-walk test fails when a root field has neither a directive nor a place here.
 */
export const PUBLIC_ROOT_FIELDS: ReadonlySet<string> = new Set([
  'Query.serverTime',
  // Federation: routers fetch the subgraph SDL to compose, before any user exists. It is the
  // published schema.graphql, nothing more. (`_entities` is not here: it carries @auth.)
  'Query._service',
  'Mutation.register',
  'Mutation.login',
  'Mutation.loginAnonymous',
  'Mutation.refresh',
  // Account lifecycle: the token or the address is the credential (single-use, rate-limited).
  'Mutation.verifyEmail',
  'Mutation.requestPasswordReset',
  'Mutation.resetPassword',
]);
