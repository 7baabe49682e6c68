import type { Registry } from 'prom-client';

export type LoginOutcome = 'success' | 'failure' | 'rate_limited' | 'unavailable';
export type RefreshOutcome = 'rotated' | 'reused' | 'refused' | 'theft';
export type MailKind = 'verification' | 'reset';
export type MailOutcome = 'sent' | 'failed';

/** Request count and latency of one GraphQL operation name; handles are cached, so recording allocates nothing. */
export interface OperationMetrics {
  /** One finished operation: whether it had no errors, and how long it took in seconds. */
  observe(ok: boolean, seconds: number): void;
}

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
  /** Audit events lost: the queue was full, the server refused them, or they were unwritable at shutdown. */
  auditDropped(count: number): void;
  /** One message handed to SMTP (or the outbox), or one that could not be. */
  mail(app: string, kind: MailKind, outcome: MailOutcome): void;
  /** Handles for one operation name; past a bound on distinct names, new names share the label `other`. */
  graphqlOperation(name: string): OperationMetrics;
}
