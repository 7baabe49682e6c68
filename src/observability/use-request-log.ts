import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from './logger.js';
import { operationNames } from './operation-names.js';

/** Paths hit by probes and scrapers: logged at debug, so they do not drown real traffic. */
export const QUIET_PATHS: readonly string[] = ['/healthz', '/readyz', '/metrics', '/health'];

const SANE_REQUEST_ID = /^[\w.:-]{1,64}$/;

/** The caller's `x-request-id` when it is a sane token (1–64 of `A-Z a-z 0-9 _ . : -`), else a fresh UUID. */
export function requestIdFrom(header: string | null): string {
  return header !== null && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

export interface RequestLogOptions {
  /** Paths logged at debug instead of info (default `QUIET_PATHS`). */
  quietPaths?: readonly string[];
  /**
   * Share (0–1) of ordinary request lines written: status below 400 and no GraphQL error.
   * Errors, refusals and 5xx are always written. Default 1: every request (REQUEST_LOG_SAMPLE).
   */
  sample?: number;
}

interface RequestRecord {
  id: string;
  start: number;
  path: string;
  operation: string | undefined;
  ip: string | undefined;
  errors: number;
}

/** What the Node adapter and Gatehouse's context factory provide, when they do. */
type NodeServerContext = { req?: { socket?: { remoteAddress?: string } } };
type ClientIpContext = { clientIp?: unknown };

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
const socketPeer = (ctx: NodeServerContext) => ctx.req?.socket?.remoteAddress?.replace(/^::ffff:/, '');

/**
 * One JSON line per request: request id, method, path, operation name(s), status, duration,
 * app header, client IP and GraphQL error count. Built from an allow-list of fields, so
 * variables, headers, cookies and tokens never reach the log (the logger's redaction is the
 * second line of defence). Echoes the request id as `x-request-id`.
 * Put it first among the plugins: a route answered by an earlier plugin's onRequest would
 * otherwise be logged without a duration.
 */
export function useRequestLog(logger: Logger, opts: RequestLogOptions = {}): Plugin {
  const quiet = new Set(opts.quietPaths ?? QUIET_PATHS);
  const sample = opts.sample ?? 1;
  const records = new WeakMap<Request, RequestRecord>();
  const names = operationNames();
  return {
    onRequest({ request, url }) {
      records.set(request, {
        id: requestIdFrom(request.headers.get('x-request-id')),
        start: performance.now(),
        path: url.pathname,
        operation: undefined,
        ip: undefined,
        errors: 0,
      });
    },
    onParse: names.onParse,
    onExecutionResult({ request, context, result }) {
      const rec = records.get(request);
      if (!rec) return;
      const name = clip(names.nameOf(context), 100);
      rec.operation = rec.operation === undefined ? name : `${rec.operation},${name}`;
      const ip = (context as ClientIpContext).clientIp;
      if (rec.ip === undefined && typeof ip === 'string') rec.ip = ip;
      if (result !== undefined && 'errors' in result) rec.errors += result.errors?.length ?? 0;
    },
    onResponse({ request, response, serverContext }) {
      const rec = records.get(request);
      const id = rec?.id ?? requestIdFrom(request.headers.get('x-request-id'));
      response.headers.set('x-request-id', id);
      const status = response.status;
      const path = rec?.path ?? new URL(request.url).pathname;
      const level = status >= 500 ? 'error' : quiet.has(path) ? 'debug' : 'info';
      // Nothing is built for a line that would not be written (level off, or sampled out).
      if (!logger.isLevelEnabled(level)) return;
      if (sample < 1 && status < 400 && !rec?.errors && Math.random() >= sample) return;
      const app = request.headers.get('x-gatehouse-app');
      logger[level](
        {
          reqId: id,
          method: request.method,
          path,
          operation: rec?.operation,
          status,
          ms: rec === undefined ? undefined : Math.round((performance.now() - rec.start) * 100) / 100,
          app: app === null ? undefined : clip(app, 64),
          ip: rec?.ip ?? socketPeer(serverContext as NodeServerContext),
          errors: rec?.errors || undefined,
        },
        'request',
      );
    },
  };
}
