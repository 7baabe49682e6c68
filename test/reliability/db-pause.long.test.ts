import { after, before, describe, it } from 'node:test';
import type { FaultRig } from './support/fault-rig.js';
import { startFaultRig } from './support/fault-rig.js';
import { longOnly } from './support/flags.js';
import { pauseScenario } from './support/pause.js';

/**
 * The refresh grace window for this run: the default 10 s, so a refresh whose rotation the frozen
 * server applies after its client was told SERVICE_UNAVAILABLE must still be retried successfully
 * (the window counts from when the rotation was applied; it used to count from the request and
 * the retry looked like theft). GATEHOUSE_PAUSE_GRACE sets another one.
 */
const GRACE = Number(process.env.GATEHOUSE_PAUSE_GRACE ?? 10);

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
