import { after, before, describe, it } from 'node:test';
import type { FaultRig } from './support/fault-rig.js';
import { startFaultRig } from './support/fault-rig.js';
import { longOnly } from './support/flags.js';
import { pauseScenario } from './support/pause.js';

/**
 * The refresh grace window for this run. 60 s (the maximum) so that "no session lost" holds: with
 * the default 10 s a rotation the stalled server applies after its client was told
 * SERVICE_UNAVAILABLE makes the client's retry look like theft (KNOWN GAP 3 in README.md; reproduce
 * with GATEHOUSE_PAUSE_GRACE=10, which fails about every other run).
 */
const GRACE = Number(process.env.GATEHOUSE_PAUSE_GRACE ?? 60);

describe('slow database (long): SIGSTOP for 10 s under mixed traffic on 3 instances', longOnly(), () => {
  let rig: FaultRig;
  before(async () => {
    rig = await startFaultRig({ staleAfterMs: 3000, graceSeconds: GRACE });
  });
  after(() => rig?.close());

  it('requests bounded by the socket timeout, /healthz responsive, protected fields fail closed, recovery after SIGCONT, nothing lost', {
    timeout: 180_000,
  }, async () => {
    await pauseScenario(rig, { pauseMs: 10_000, label: `pause 10 s (grace ${GRACE} s)` });
  });
});
