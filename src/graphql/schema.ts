import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import { schemaDirectives } from './directives.js';
import './fields/server.js';

let cached: GraphQLSchema | undefined;

/** Gatehouse's own executable schema (resolvers take their services from the context). */
export function gatehouseSchema(): GraphQLSchema {
  cached ??= lexicographicSortSchema(builder.toSchema({ directives: schemaDirectives }));
  return cached;
}
