// A downstream GraphQL service behind Gatehouse. It only *declares* who may call what (@auth,
// @permission); Gatehouse enforces it before forwarding, and tells the service who is calling.
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { GATEHOUSE_DIRECTIVES_SDL } from '../dist/src/index.js';

const typeDefs = /* GraphQL */ `
  ${GATEHOUSE_DIRECTIVES_SDL}
  type Order { id: ID! item: String! owner: ID! }
  type Query {
    publicInfo: String!
    myOrders: [Order!]! @auth
    allOrders: [Order!]! @permission(resource: "orders", action: "read")
  }
`;

const orders = [
  { id: 'o1', item: 'lantern', owner: 'someone-else' },
  { id: 'o2', item: 'orchard ladder', owner: 'someone-else' },
];

const yoga = createYoga({
  schema: createSchema({
    // `_service { sdl }` is how Gatehouse reads this schema with its directives (introspection drops them).
    typeDefs: `${typeDefs} type _Service { sdl: String! } extend type Query { _service: _Service! }`,
    resolvers: {
      Query: {
        publicInfo: () => 'Orders service: open 24/7',
        myOrders: (_r, _a, { request }) => {
          const me = request.headers.get('x-gatehouse-user-id');
          return [{ id: `welcome-${me}`, item: 'welcome kit', owner: me }, ...orders.filter((o) => o.owner === me)];
        },
        allOrders: () => orders,
        _service: () => ({ sdl: typeDefs }),
      },
    },
  }),
  logging: false,
});

const port = Number(process.env.ORDERS_PORT ?? 4001);
createServer(yoga).listen(port, '127.0.0.1', () => console.log(`orders service on http://127.0.0.1:${port}/graphql`));
