import { type Logger, pino } from 'pino';
import { censoringSerializers, redactSecrets } from './redact.js';

export type { Logger };

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
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination,
  );
}
