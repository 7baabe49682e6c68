import type { GraphQLFieldConfig } from 'graphql';
import type { GatehouseContext } from './context.js';
import { badInput } from './errors.js';

// Counted per HTTP request, so aliases (`a: _entities… b: _entities…`) and batched operations share one budget.
const spent = new WeakMap<Request, number>();

/**
 * Caps the representations one request may resolve through `_entities` (`graphql.max_entities`):
 * each costs a lookup, and a single small document could otherwise ask for thousands.
 */
export function withEntityBudget(
  config: GraphQLFieldConfig<unknown, GatehouseContext>,
): GraphQLFieldConfig<unknown, GatehouseContext> {
  const resolve = config.resolve;
  if (!resolve) return config;
  return {
    ...config,
    resolve(source, args: { representations?: unknown[] }, ctx, info) {
      const max = ctx.services.manifest.server.graphql.maxEntities;
      const total = (spent.get(ctx.request) ?? 0) + (args.representations?.length ?? 0);
      spent.set(ctx.request, total);
      if (total > max) {
        throw badInput('representations', `At most ${max} entity representations per request`, { max });
      }
      return resolve(source, args, ctx, info);
    },
  };
}
