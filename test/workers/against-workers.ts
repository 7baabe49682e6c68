import { describe } from 'node:test';

/**
 * Runs an e2e suite again with every startGatehouse spawning `gatehouse serve --workers 2`
 * (test/helpers/workers.ts): the same assertions over HTTP, now across worker processes.
 */
export function againstWorkers(suite: string, load: () => Promise<unknown>): void {
  process.env.GATEHOUSE_TEST_TARGET = 'workers';
  describe(`${suite}, against serve --workers 2`, async () => {
    await load();
  });
}
