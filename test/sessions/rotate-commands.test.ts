import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommandStartedEvent } from 'mongodb';
import { connectDatabase, type Database } from '../../src/db/index.js';
import { createRevocationFeed, createSessionService, type SessionService } from '../../src/sessions/index.js';
import { coreDeps, type TestDeps } from '../helpers/deps.js';
import { mongoUri } from '../helpers/gatehouse.js';

/** DESIGN: "Rotation is one conditional findOneAndUpdate" — counted on the wire by command monitoring. */
describe('refresh rotation on the wire', () => {
  let deps: TestDeps;
  let monitored: Database;
  let sessions: SessionService;
  const commands: string[] = [];

  before(async () => {
    deps = await coreDeps();
    monitored = await connectDatabase(mongoUri(), deps.dbName, { monitorCommands: true });
    monitored.client.on('commandStarted', (e: CommandStartedEvent) => commands.push(e.commandName));
    const wired = { ...deps, database: monitored };
    const feed = createRevocationFeed(wired, { ...wired.settings.revocations, ...{ pollMs: 60_000 } }); // no background polls during the count
    await feed.start();
    sessions = createSessionService(wired, wired.settings.sessions, feed);
    await sessions.start();
  });
  after(async () => {
    sessions.stop();
    await monitored.close();
    await deps.close();
  });

  it('a normal rotation is exactly one database command (findAndModify)', async () => {
    const app = deps.manifest.apps[0]!;
    const { refreshToken } = await sessions.create(app, 'u-wire', { deviceId: 'd' });
    let token = refreshToken;
    for (let i = 0; i < 3; i++) {
      commands.length = 0;
      const r = await sessions.rotate(app, token, { ip: '192.0.2.1' });
      assert.ok(r.ok && !r.reused);
      token = r.refreshToken;
      assert.deepEqual(commands, ['findAndModify']);
    }
    commands.length = 0;
    assert.deepEqual(await sessions.rotate(app, 'not-a-token', {}), { ok: false, reason: 'unknown' });
    assert.deepEqual(commands, [], 'a malformed token costs no database work');
  });
});
