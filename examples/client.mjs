// A client of the gateway: register, call protected fields, refresh, log out.
import { randomBytes } from 'node:crypto';

const url = process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:4000/graphql';

async function gql(query, variables, token) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}
const codeOf = (r) => r.errors?.[0]?.extensions?.code;
function step(name, value) {
  console.log(`${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

const email = `client-${randomBytes(4).toString('hex')}@shop.example`;
const password = `Client-${randomBytes(6).toString('hex')}-Passphrase`;
const payload = 'accessToken refreshToken expiresIn user { id email roles }';

const reg = await gql(`mutation($i: RegisterInput!) { register(input: $i) { ${payload} } }`, {
  i: { email, password, deviceId: 'example-cli' },
});
if (!reg.data) throw new Error(`register failed: ${JSON.stringify(reg.errors)}`);
let { accessToken, refreshToken } = reg.data.register;
step('registered', reg.data.register.user);

step('publicInfo (no token)', (await gql('{ publicInfo }')).data.publicInfo);
step('myOrders (no token)', codeOf(await gql('{ myOrders { id } }')));
step('myOrders', (await gql('{ myOrders { id item } }', {}, accessToken)).data.myOrders);
step('allOrders (customer)', codeOf(await gql('{ allOrders { id } }', {}, accessToken)));

const refreshed = await gql(`mutation($t: String) { refresh(refreshToken: $t) { ${payload} } }`, { t: refreshToken });
({ accessToken, refreshToken } = refreshed.data.refresh);
step('refreshed, new token expires in', `${refreshed.data.refresh.expiresIn} s`);

step('logout', (await gql('mutation { logout }', {}, accessToken)).data.logout);
await new Promise((r) => setTimeout(r, 1000));
step('myOrders after logout', codeOf(await gql('{ myOrders { id } }', {}, accessToken)));
