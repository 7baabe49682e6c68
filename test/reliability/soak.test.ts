import { describe, it } from 'node:test';
import { soak } from './support/soak.js';

describe('soak (quick): mixed load over 3 instances', () => {
  it('10 s of login / refresh / protected queries / logout at a steady rate: zero 5xx, no lost or orphan session, memory flat', async () => {
    await soak({ durationMs: 10_000, rate: 25, users: 8, rssGrowthMb: 120, liveHeapGrowthMb: 40, label: 'soak 10 s' });
  });
});
