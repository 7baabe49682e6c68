import { describe, it } from 'node:test';
import { longOnly } from './support/flags.js';
import { soak } from './support/soak.js';

describe('soak (long): mixed load over 3 instances', longOnly(), () => {
  it('60 s of login / refresh / protected queries / logout at a steady rate: zero 5xx, no lost or orphan session, memory flat', async () => {
    await soak({ durationMs: 60_000, rate: 15, users: 16, rssGrowthMb: 150, liveHeapGrowthMb: 40, label: 'soak 60 s' });
  });
});
