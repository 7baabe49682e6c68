import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { RelCanDocument } from '../../generated/graphql.js';
import { call, leakIn, probe } from './http.js';
import { EDITOR_PERMISSION } from './manifest.js';

export type WatchKind = 'readyz' | 'healthz' | 'can';

export interface Sample {
  instance: number;
  kind: WatchKind;
  /** performance.now() when the probe was sent, and when its answer came. */
  sentAt: number;
  doneAt: number;
  status: number;
  /** For `can`: the error code, or 'ok' when it answered data. */
  result: string;
}

export interface WatchTarget {
  origin: string;
  url: string;
  /** An access token whose session stays live: `can` with it must answer, or fail closed. */
  token: string;
}

/**
 * Probes every instance in its own loops (one per route, never two probes of one kind at once):
 * /readyz, /healthz and one protected field (`can`, answered from memory while the revocation feed
 * is fresh). Tests read the time series to measure when each instance noticed a fault and recovered.
 */
export class InstanceWatch {
  readonly samples: Sample[] = [];
  #running = false;
  #loops: Promise<void>[] = [];

  constructor(
    readonly targets: WatchTarget[],
    readonly everyMs = 100,
  ) {}

  start(): this {
    this.#running = true;
    this.#loops = this.targets.flatMap((t, i) =>
      (['readyz', 'healthz', 'can'] as const).map((k) => this.#loop(i, t, k)),
    );
    return this;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  async #loop(instance: number, t: WatchTarget, kind: WatchKind): Promise<void> {
    while (this.#running) {
      const sentAt = performance.now();
      let status: number;
      let result: string;
      if (kind === 'can') {
        const o = await call(t.url, RelCanDocument, EDITOR_PERMISSION, { token: t.token, timeoutMs: 20_000 });
        status = o.status;
        const leak = leakIn(o.text);
        result = leak ? `leak:${leak}` : typeof o.data?.can === 'boolean' ? 'ok' : (o.code ?? o.failure ?? 'none');
      } else {
        status = (await probe(`${t.origin}/${kind}`, 20_000)).status;
        result = String(status);
      }
      this.samples.push({ instance, kind, sentAt, doneAt: performance.now(), status, result });
      await sleep(this.everyMs);
    }
  }

  of(instance: number, kind: WatchKind, from = 0, to = Number.POSITIVE_INFINITY): Sample[] {
    return this.samples.filter((s) => s.instance === instance && s.kind === kind && s.sentAt >= from && s.sentAt < to);
  }

  /** When (answer time, ms after `since`) the first probe sent after `since` met `ok`; undefined if none. */
  firstAfter(instance: number, kind: WatchKind, since: number, ok: (s: Sample) => boolean): number | undefined {
    const hit = this.of(instance, kind, since).find(ok);
    return hit === undefined ? undefined : hit.doneAt - since;
  }
}
