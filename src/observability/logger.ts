import { type Logger, pino } from 'pino';
import { censoringSerializers, redactSecrets } from './redact.js';

export type { Logger };

let second = Number.NaN;
let prefix = '';

/**
 * pino's `isoTime` (`,"time":"2026-12-06T21:36:05.123Z"`), with the date formatted once per
 * second: `toISOString` on every line was ~2 % of a served request's CPU (bench/results/profile-http).
 */
export function isoTime(): string {
  const now = Date.now();
  const ms = now % 1000;
  const s = now - ms;
  if (s !== second) {
    second = s;
    prefix = `,"time":"${new Date(s).toISOString().slice(0, -4)}`;
  }
  return `${prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

/**
 * JSON logs. Anything that may hold a credential is censored by key name, at any depth
 * (see redact.ts), so a log line can never carry a password, a token or a cookie.
 * Why not pino's `redact` paths: its `*.key` wildcards cost about 2 µs each per line, and
 * the request log writes a line per request.
 */
export function createLogger(opts: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      base: { svc: 'gatehouse' },
      formatters: { log: redactSecrets, bindings: redactSecrets },
      // replacing pino's serializers drops its default `err` one: keep it
      serializers: { ...censoringSerializers, err: pino.stdSerializers.err },
      timestamp: isoTime,
    },
    opts.destination,
  );
}
