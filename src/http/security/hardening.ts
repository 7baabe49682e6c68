import { useDisableIntrospection } from '@envelop/disable-introspection';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import type { Plugin } from 'graphql-yoga';
import type { ServerSettings } from '../../config/index.js';
import { useSingleCredentialField } from './credential-fields.js';

export const MAX_DIRECTIVES = 50;

export interface HardeningOptions {
  /** NODE_ENV=production: introspection is off unless the manifest turns it on. */
  production: boolean;
}

/**
 * Armor's rules throw by default, which Yoga turns into an execution error with HTTP 200 and no
 * code. Reported instead, they are validation errors: GRAPHQL_VALIDATION_FAILED, HTTP 400.
 */
type ArmorCallbacks = Pick<
  NonNullable<NonNullable<ConstructorParameters<typeof EnvelopArmor>[0]>['maxDepth']>,
  'onReject' | 'propagateOnRejection'
>;
const asValidationError: ArmorCallbacks = {
  propagateOnRejection: false,
  onReject: [(context, error) => context?.reportError(error)],
};

/** Introspection stays on in development (GraphiQL, codegen) and off in production, unless the manifest says. */
export const introspectionEnabled = (graphql: ServerSettings['graphql'], production: boolean) =>
  graphql.introspection ?? !production;

/**
 * Limits every document before execution (manifest `server.graphql`): depth, aliases, tokens,
 * cost and directives by graphql-armor, no field suggestions ("Did you mean…" maps the schema),
 * no introspection in production, one credential field per operation. Rejections are
 * validation errors (HTTP 400), so no resolver runs.
 */
export function useGraphQLHardening(graphql: ServerSettings['graphql'], options: HardeningOptions): Plugin[] {
  const armor = new EnvelopArmor({
    maxDepth: { n: graphql.maxDepth, ...asValidationError },
    maxAliases: { n: graphql.maxAliases, ...asValidationError },
    maxTokens: { n: graphql.maxTokens }, // a parse error (400) already
    costLimit: { maxCost: graphql.maxCost, ...asValidationError },
    maxDirectives: { n: MAX_DIRECTIVES, ...asValidationError },
    blockFieldSuggestion: { enabled: true },
  });
  return [
    ...(armor.protect().plugins as Plugin[]),
    ...(introspectionEnabled(graphql, options.production) ? [] : [useDisableIntrospection() as Plugin]),
    useSingleCredentialField(),
  ];
}
