import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics, OperationMetrics } from './types.js';

export interface MetricsOptions {
  /** Prefix of Gatehouse's own metric names (default `gatehouse_`); Node's default metrics keep their own names. */
  prefix?: string;
  /** Node process metrics, event-loop lag (`nodejs_eventloop_lag_*`) included; default true. */
  collectDefault?: boolean;
  /** Distinct GraphQL operation names given their own label; later ones share `other`. Default 200. */
  maxOperations?: number;
}

/** Seconds; an auth gateway answers in milliseconds, a slow downstream in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A GraphQL Name of sane length: anything else (a client's junk `operationName`) is labelled `other`. */
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * Gatehouse's metrics on a registry of its own (never prom-client's global one), so several
 * instances can live in one process. Label children are created once and cached: recording on
 * the hot path is a Map lookup and an increment.
 */
export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const p = opts.prefix ?? 'gatehouse_';
  const registry = new Registry();
  const registers = [registry];
  if (opts.collectDefault ?? true) collectDefaultMetrics({ register: registry });

  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name: `${p}${name}`, help, labelNames, registers });
  const gauge = (name: string, help: string) => new Gauge({ name: `${p}${name}`, help, registers });

  const login = childrenOf(counter('login_total', 'Login attempts by app and outcome', ['app', 'outcome']));
  const refresh = childrenOf(counter('refresh_total', 'Refresh-token presentations by outcome', ['app', 'outcome']));
  const rateLimited = childrenOf(counter('rate_limited_total', 'Requests refused by a rate limit', ['app', 'kind']));
  const mail = counter('mail_total', 'Account e-mail by app, kind (verification, reset) and outcome (sent, failed)', [
    'app',
    'kind',
    'outcome',
  ]);
  const tokenCache = counter('token_cache_total', 'Access-token verification cache lookups', ['result']);
  const cacheHit = tokenCache.labels('hit');
  const cacheMiss = tokenCache.labels('miss');
  let hits = 0;
  let misses = 0;
  new Gauge({
    name: `${p}token_cache_hit_ratio`,
    help: 'Share of token cache lookups that hit, since start',
    registers,
    collect() {
      const total = hits + misses;
      this.set(total === 0 ? 0 : hits / total);
    },
  });
  const dbErrors = counter('db_errors_total', 'Database operations that failed');
  const revocationLag = gauge('revocation_feed_lag_seconds', 'Age of the revocation feed this instance last read');
  const policyRevision = gauge('policy_revision', 'Policy revision this instance enforces');
  const auditDropped = counter('audit_dropped_total', 'Audit events lost (queue full, refused, or unwritable)');
  const operation = operationMetrics(p, registry, opts.maxOperations ?? 200);

  return {
    registry,
    login: (app, outcome) => login(app, outcome).inc(),
    refresh: (app, outcome) => refresh(app, outcome).inc(),
    rateLimited: (app, kind) => rateLimited(app, kind).inc(),
    tokenCache(hit) {
      if (hit) {
        hits++;
        cacheHit.inc();
      } else {
        misses++;
        cacheMiss.inc();
      }
    },
    databaseError: () => dbErrors.inc(),
    revocationLag: (ms) => revocationLag.set(ms / 1000),
    policyRevision: (revision) => policyRevision.set(revision),
    auditDropped: (count) => auditDropped.inc(count),
    mail: (app, kind, outcome) => mail.labels(app, kind, outcome).inc(),
    graphqlOperation: operation,
  };
}

/** Children of a two-label counter, cached per label pair (apps and kinds are few and fixed). */
function childrenOf(counter: Counter): (a: string, b: string) => Counter.Internal {
  const byA = new Map<string, Map<string, Counter.Internal>>();
  return (a, b) => {
    let byB = byA.get(a);
    if (!byB) {
      byB = new Map();
      byA.set(a, byB);
    }
    let child = byB.get(b);
    if (!child) {
      child = counter.labels(a, b);
      byB.set(b, child);
    }
    return child;
  };
}

/** Per-operation request counter and latency histogram, with a bound on distinct operation names. */
function operationMetrics(p: string, registry: Registry, max: number): (name: string) => OperationMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: `${p}graphql_requests_total`,
    help: 'GraphQL operations by operation name and outcome (ok: no errors)',
    labelNames: ['operation', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: `${p}graphql_request_duration_seconds`,
    help: 'GraphQL operation latency, from request arrival to result',
    labelNames: ['operation'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const make = (name: string): OperationMetrics => {
    const ok = requests.labels(name, 'ok');
    const error = requests.labels(name, 'error');
    const latency = duration.labels(name);
    return {
      observe(success, seconds) {
        (success ? ok : error).inc();
        latency.observe(seconds);
      },
    };
  };
  const other = make('other');
  const byName = new Map<string, OperationMetrics>();
  return (name) => {
    const known = byName.get(name);
    if (known) return known;
    if (byName.size >= max || !OPERATION_NAME.test(name)) return other;
    const created = make(name);
    byName.set(name, created);
    return created;
  };
}
