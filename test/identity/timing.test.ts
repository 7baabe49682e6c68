import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createIdentityService, type IdentityService } from '../../src/identity/index.js';
import { coreDeps, type TestDeps } from '../helpers/deps.js';

const PASSWORD = 'Saffron-Glacier-Piano-27';
const SAMPLES = 100;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};

/**
 * SEC-07: an unknown email, a wrong password and a password-less (anonymous) account all cost one
 * argon2 verification with the same parameters, so their medians agree within 20 ms.
 */
describe('login timing', () => {
  let deps: TestDeps;
  let identity: IdentityService;
  const app = () => deps.manifest.apps[0]!;

  before(async () => {
    deps = await coreDeps();
    identity = createIdentityService(deps); // production parameters
    await identity.start();
    await identity.register(app(), { email: 'known@example.com', password: PASSWORD });
  });
  after(() => deps.close());

  it(`unknown email vs wrong password: medians within 20 ms over ${SAMPLES} interleaved attempts`, async () => {
    const cases = {
      unknown: () => identity.authenticate(app(), { email: 'unknown@example.com', password: 'Wrong-Guess-123' }),
      wrong: () => identity.authenticate(app(), { email: 'known@example.com', password: 'Wrong-Guess-123' }),
      empty: () => identity.authenticate(app(), { email: 'known@example.com', password: '' }),
    };
    const times: Record<keyof typeof cases, number[]> = { unknown: [], wrong: [], empty: [] };
    for (let i = 0; i < 5; i++) for (const run of Object.values(cases)) await run(); // warm-up
    for (let i = 0; i < SAMPLES; i++) {
      for (const [name, run] of Object.entries(cases) as [keyof typeof cases, () => Promise<unknown>][]) {
        const t = performance.now();
        assert.equal(await run(), null);
        times[name].push(performance.now() - t);
      }
    }
    const m = { unknown: median(times.unknown), wrong: median(times.wrong), empty: median(times.empty) };
    console.log(
      `login timing medians over ${SAMPLES}: unknown ${m.unknown.toFixed(1)} ms, wrong ${m.wrong.toFixed(1)} ms, empty ${m.empty.toFixed(1)} ms`,
    );
    assert.ok(Math.abs(m.unknown - m.wrong) <= 20, JSON.stringify(m));
    assert.ok(Math.abs(m.empty - m.wrong) <= 20, JSON.stringify(m));
    assert.ok(m.wrong > 10, 'a verification this fast cannot be argon2 at OWASP parameters');
  });
});
