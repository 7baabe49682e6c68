import { randomBytes } from 'node:crypto';
import type { CommandStartedEvent } from 'mongodb';
import type { BenchContext } from '../context.js';
import { ask } from '../lib/inprocess.js';
import { atMost, type Row, row } from '../report/rows.js';
import { SMALL_APP } from '../world/manifest.js';
import { CAN, LOGIN, REFRESH, REGISTER, type SignedIn } from '../world/operations.js';

const SCENARIO = '5. Round trips';
/** Background readers (revocation feed, policy revision, key ring): not caused by any request. */
const POLLED = new Set(['revocations', 'meta', 'signing_keys']);
const AUDIT = 'audit_events';

const target = (c: CommandStartedEvent) => String((c.command as Record<string, unknown>)[c.commandName] ?? '');
const isBackground = (c: CommandStartedEvent) =>
  (c.commandName === 'find' && POLLED.has(target(c))) ||
  c.commandName === 'delete' || // expiry sweepers
  ['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'killCursors'].includes(c.commandName);
const describe = (cs: CommandStartedEvent[]) => cs.map((c) => `${c.commandName} ${target(c)}`).join(', ');

/**
 * Scenario 5: database commands per operation, by command monitoring on the instance serving it.
 * "Request path" = commands sent while the request ran and not by work it left running after its
 * response (background pollers and sweepers excluded); that work ("after the response": a login's
 * outcome record, lastLoginAt, session eviction) is awaited and counted apart, and so are audit
 * events, which are batched and written later.
 */
export async function roundTrips(ctx: BenchContext): Promise<Row[]> {
  const { instance, commands, afterResponse } = await ctx.small();
  const { yoga, services } = instance.gatehouse;
  const headers = { 'x-gatehouse-app': SMALL_APP };
  const input = {
    email: `trips-${randomBytes(4).toString('hex')}@bench.test`,
    password: `Bench-${randomBytes(9).toString('hex')}-Orchard`,
  };
  const registered = (await ask(yoga, REGISTER, { input }, headers)).data?.register as SignedIn | undefined;
  if (!registered) throw new Error('register failed');
  const auth = (t: string) => ({ ...headers, authorization: `Bearer ${t}` });
  await ask(yoga, CAN, {}, auth(registered.accessToken)); // warm the token cache and the memo

  /** Runs `op`, waits for what it left running, flushes the audit queue; splits what was sent into request path / after the response / audit. */
  const measure = async (op: () => Promise<void>) => {
    await services.flows.afterResponse();
    await services.audit.flush();
    commands.length = 0;
    await op();
    const during = commands.filter((c) => !isBackground(c) && !afterResponse.has(c));
    await services.flows.afterResponse();
    await services.audit.flush();
    const sent = commands.filter((c) => !isBackground(c));
    return {
      request: during.filter((c) => target(c) !== AUDIT),
      after: sent.filter((c) => afterResponse.has(c) && target(c) !== AUDIT),
      audit: sent.filter((c) => target(c) === AUDIT),
    };
  };
  const expectOk = (r: { data?: unknown; errors?: unknown }, what: string) => {
    if (r.errors) throw new Error(`${what} failed: ${JSON.stringify(r.errors)}`);
  };

  let session: SignedIn | undefined;
  const login = await measure(async () => {
    const r = await ask(yoga, LOGIN, { input }, headers);
    expectOk(r, 'login');
    session = r.data?.login as SignedIn;
  });
  let rotated = '';
  const refresh = await measure(async () => {
    const r = await ask(yoga, REFRESH, { token: session!.refreshToken }, headers);
    expectOk(r, 'refresh');
    rotated = (r.data?.refresh as { refreshToken: string } | undefined)?.refreshToken ?? '';
  });
  const theft = await measure(async () => {
    // The token just rotated away, presented again after the grace window (0 s in this app).
    const r = await ask(yoga, REFRESH, { token: session!.refreshToken }, headers);
    if (r.errors?.[0]?.extensions?.code !== 'UNAUTHENTICATED')
      throw new Error(`replay was not refused: ${JSON.stringify(r)}`);
  });
  const stillDead = await ask(yoga, REFRESH, { token: rotated }, headers);
  if (!stillDead.errors) throw new Error('theft did not end the session');

  const N = 20;
  const authenticated = await measure(async () => {
    for (let i = 0; i < N; i++) expectOk(await ask(yoga, CAN, {}, auth(registered.accessToken)), 'authenticated query');
  });

  type Measured = { request: CommandStartedEvent[]; after: CommandStartedEvent[]; audit: CommandStartedEvent[] };
  const info = (m: Measured) =>
    `${describe(m.request)}${m.after.length ? `; after the response: ${describe(m.after)}` : ''}${m.audit.length ? `; + ${m.audit.length} batched audit insert(s)` : ''}`;
  return [
    row(
      SCENARIO,
      'database commands per login (request path)',
      login.request.length,
      'commands',
      atMost(4),
      info(login),
    ),
    row(
      SCENARIO,
      'database commands per login, after the response',
      login.after.length,
      'commands',
      undefined,
      info(login),
    ),
    row(
      SCENARIO,
      'database round trips per refresh, no theft',
      refresh.request.length,
      'commands',
      atMost(1),
      info(refresh),
    ),
    row(
      SCENARIO,
      'database commands per refresh, theft detected',
      theft.request.length,
      'commands',
      undefined,
      info(theft),
    ),
    row(
      SCENARIO,
      'database round trips per authenticated request',
      authenticated.request.length / N,
      'commands',
      atMost(0),
      `${N} requests: ${describe(authenticated.request) || 'none'}`,
    ),
  ];
}
