import type { CommandStartedEvent } from 'mongodb';
import { connectDatabase } from '../../src/db/index.js';
import type { TestDeps } from '../helpers/deps.js';
import { mongoUri } from '../helpers/gatehouse.js';

/** The same deps over a second connection that records every command sent to the database. */
export async function recordingDeps(
  deps: TestDeps,
): Promise<{ deps: TestDeps; commands: CommandStartedEvent[]; close(): Promise<void> }> {
  const database = await connectDatabase(mongoUri(), deps.dbName, { monitorCommands: true });
  const commands: CommandStartedEvent[] = [];
  database.client.on('commandStarted', (e) => commands.push(e));
  return { deps: { ...deps, database }, commands, close: () => database.close() };
}
