// A downstream GraphQL service behind Gatehouse. It only *declares* who may call what (@auth,
// @permission); Gatehouse enforces it before forwarding, and tells the service who is calling in a
// signed assertion. The service checks that signature over the raw request before GraphQL sees it,
// and takes the caller only from the verified result: a request that went around the gateway, or
// replays or alters one that came through it, is refused with 401.
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { GATEHOUSE_DIRECTIVES_SDL, verifyGatewaySignature } from '../dist/src/index.js';

// This service's key: `./bin/gatehouse keys gateway orders` prints it (same GATEHOUSE_SECRET as the gateway).
const key = process.env.GATEHOUSE_GATEWAY_KEY;
if (!key) {
  console.error('set GATEHOUSE_GATEWAY_KEY to the output of `./bin/gatehouse keys gateway orders`');
  process.exit(1);
}

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
        // `gateway` is the verified assertion (see below), never a header read directly.
        myOrders: (_r, _a, { gateway }) => {
          const me = gateway.userId;
          if (!me) return [];
          return [{ id: `welcome-${me}`, item: 'welcome kit', owner: me }, ...orders.filter((o) => o.owner === me)];
        },
        allOrders: () => orders,
        _service: () => ({ sdl: typeDefs }),
      },
    },
  }),
  logging: false,
});

const MAX_BODY = 100_000;

/** The raw body, or null past MAX_BODY: the signature covers these exact bytes. */
async function rawBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function refuse(res, status, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }));
}

const server = createServer(async (req, res) => {
  const body = await rawBody(req);
  if (body === null) return refuse(res, 413, 'request body too large');
  // Method, body hash, app, user, session, nonce and time, within ±10 s, each nonce once.
  const gateway = await verifyGatewaySignature({ method: req.method, headers: req.headers, body }, key);
  if (!gateway.ok) return refuse(res, 401, `not signed by the gateway (${gateway.reason})`);
  // Yoga executes exactly the bytes that were verified; the verified identity goes in its context.
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) headers.append(name, v);
  }
  const answer = await yoga.fetch(
    new URL(req.url ?? '/graphql', 'http://127.0.0.1'),
    { method: req.method, headers, ...(body.length ? { body } : {}) },
    { gateway },
  );
  res.writeHead(answer.status, Object.fromEntries(answer.headers));
  res.end(Buffer.from(await answer.arrayBuffer()));
});

const port = Number(process.env.ORDERS_PORT ?? 4001);
server.listen(port, '127.0.0.1', () => console.log(`orders service on http://127.0.0.1:${port}/graphql`));
