import type { Registry } from 'prom-client';

export type LoginOutcome = 'success' | 'failure' | 'rate_limited' | 'unavailable';
export type RefreshOutcome = 'rotated' | 'reused' | 'refused' | 'theft';

/** The counters Gatehouse moves; served at /metrics in Prometheus text format. */
export interface Metrics {
  readonly registry: Registry;
  login(app: string, outcome: LoginOutcome): void;
  refresh(app: string, outcome: RefreshOutcome): void;
  rateLimited(app: string, kind: string): void;
  tokenCache(hit: boolean): void;
  databaseError(): void;
  /** Called by the polling components with their current state. */
  revocationLag(ms: number): void;
  policyRevision(revision: number): void;
}
