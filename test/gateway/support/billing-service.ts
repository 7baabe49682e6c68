import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';

/**
 * A downstream written as an Apollo Federation v2 subgraph: only the Federation-standard
 * @authenticated / @requiresScopes / @policy, imported through `@link`, plus `@key` plumbing.
 */
const typeDefs = parse(/* GraphQL */ `
  extend schema
    @link(
      url: "https://specs.apollo.dev/federation/v2.6"
      import: ["@key", "@authenticated", "@requiresScopes", "@policy"]
    )
  type Invoice @key(fields: "id") {
    id: ID!
    amount: Int!
  }
  type Query {
    invoices: [Invoice!]! @authenticated
    adminInvoices: [Invoice!]! @requiresScopes(scopes: [["admin"]])
    auditedInvoices: [Invoice!]! @policy(policies: [["invoices:audit"]])
  }
`);

export interface BillingService {
  name: string;
  url: string;
  calls: number;
  close(): Promise<void>;
}

export async function startBillingService(): Promise<BillingService> {
  const invoices = [{ id: 'i1', amount: 100 }];
  const service: BillingService = { name: 'billing', url: '', calls: 0, close: async () => {} };
  const count = () => {
    service.calls++;
    return invoices;
  };
  const schema = buildSubgraphSchema({
    typeDefs,
    resolvers: { Query: { invoices: count, adminInvoices: count, auditedInvoices: count } },
  });
  const server = createServer(createYoga({ schema, logging: false }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  service.close = () => new Promise((resolve) => server.close(() => resolve()));
  return service;
}
