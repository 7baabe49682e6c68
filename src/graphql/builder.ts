import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import { GraphQLScalarType, Kind } from 'graphql';
import type { GatehouseContext } from './context.js';
import GatehouseFederationAuthPlugin from './federation.js';

export interface GatehouseSchemaTypes {
  Context: GatehouseContext;
  Scalars: { DateTime: { Input: Date; Output: Date } };
  Directives: {
    auth: { locations: 'OBJECT' | 'FIELD_DEFINITION' | 'INTERFACE'; args: { roles?: string[] } };
    permission: { locations: 'OBJECT' | 'FIELD_DEFINITION' | 'INTERFACE'; args: { resource: string; action: string } };
  };
  DefaultFieldNullability: false;
}

export const builder = new SchemaBuilder<GatehouseSchemaTypes>({
  // Config hooks run last-plugin-first: @auth/@permission → Federation equivalents → directive metadata.
  plugins: [DirectivesPlugin, FederationPlugin, GatehouseFederationAuthPlugin],
  directives: { useGraphQLToolsUnorderedDirectives: true },
  defaultFieldNullability: false,
});

const dateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, as an ISO-8601 string in UTC.',
  serialize: (v) => (v instanceof Date ? v : new Date(v as string)).toISOString(),
  parseValue: (v) => {
    const d = new Date(v as string);
    if (typeof v !== 'string' || Number.isNaN(d.getTime())) throw new TypeError('DateTime must be an ISO-8601 string');
    return d;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime must be an ISO-8601 string');
    const d = new Date(ast.value);
    if (Number.isNaN(d.getTime())) throw new TypeError('DateTime must be an ISO-8601 string');
    return d;
  },
});
builder.addScalarType('DateTime', dateTime, {});

builder.queryType({});
builder.mutationType({});
