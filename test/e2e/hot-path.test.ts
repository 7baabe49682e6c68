import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommandStartedEvent } from 'mongodb';
import { CanDocument, MeDocument } from '../generated/graphql.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { registerUser } from '../helpers/users.js';

/** Background pollers read these; a request must not. */
const POLLED = new Set(['revocations', 'meta', 'signing_keys']);

describe('authenticated hot path', () => {
  let gh: TestInstance;
  const commands: CommandStartedEvent[] = [];
  before(async () => {
    gh = await startGatehouse({ monitorCommands: true });
    gh.database.client.on('commandStarted', (e) => commands.push(e));
  });
  after(() => gh.close());

  it('makes zero database round trips for an authenticated, authorized request', async () => {
    const u = await registerUser(gh.url);
    await gql(gh.url, CanDocument, { resource: 'x', action: 'y' }, { token: u.accessToken }); // warm
    await gh.gatehouse.services.audit.flush();
    commands.length = 0;
    for (let i = 0; i < 20; i++) {
      const r = await gql(gh.url, CanDocument, { resource: 'profile', action: 'read' }, { token: u.accessToken });
      assert.equal(typeof r.data?.can, 'boolean', JSON.stringify(r.errors));
    }
    const byRequest = commands.filter((c) => {
      const coll = (c.command as Record<string, unknown>)[c.commandName];
      return !(typeof coll === 'string' && POLLED.has(coll)) && c.commandName !== 'hello' && c.commandName !== 'ping';
    });
    assert.deepEqual(
      byRequest.map((c) => `${c.commandName} ${String((c.command as Record<string, unknown>)[c.commandName])}`),
      [],
    );
  });

  it('refuses forged and malformed tokens with UNAUTHENTICATED', async () => {
    const u = await registerUser(gh.url);
    const [h, p, s] = u.accessToken.split('.') as [string, string, string];
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = [
      `${h}.${b64({ ...payload, roles: ['admin'] })}.${s}`,
      `${b64({ alg: 'none', typ: 'at+jwt' })}.${p}.`,
      `${b64({ alg: 'nOnE', typ: 'at+jwt' })}.${p}.`,
      `${h}.${p}.${s.slice(0, -3)}`,
      `${h}.${p}`,
      'not-a-jwt',
      `${h}.${p}.${s}.x.y`,
    ];
    for (const token of forged) {
      const r = await gql(gh.url, MeDocument, {}, { token });
      assert.equal(codeOf(r), 'UNAUTHENTICATED', token.slice(0, 40));
    }
  });
});
