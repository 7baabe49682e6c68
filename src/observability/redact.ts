/**
 * Keys whose value is a credential or may carry one (GraphQL variables, a query with inlined
 * literals). Matched case-insensitively wherever they appear in a logged object.
 */
const SECRET_KEY_NAMES = [
  'password',
  'newPassword',
  'currentPassword',
  'passwordHash',
  'refreshToken',
  'refresh_token',
  'accessToken',
  'access_token',
  'token',
  'secret',
  'privateKey',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-csrf-token',
  'variables',
  'query',
];

export const SECRET_KEYS: ReadonlySet<string> = new Set(SECRET_KEY_NAMES.map((k) => k.toLowerCase()));

export const CENSOR = '[redacted]';
const MAX_DEPTH = 8;

/**
 * pino serializers censoring the same keys by exact name: pino does not pass a child's bindings
 * through the log formatter, but it does apply serializers to them.
 */
export const censoringSerializers: Record<string, () => string> = Object.fromEntries(
  SECRET_KEY_NAMES.map((k) => [k, () => CENSOR]),
);

const isSecret = (key: string) => SECRET_KEYS.has(key) || SECRET_KEYS.has(key.toLowerCase());

/**
 * The value with every secret-named key censored, at any depth (copy-on-write: an object
 * without secrets is returned as is, so the common log line costs a scan of its keys).
 * Plain objects and arrays are walked; errors, dates and class instances are left to pino's
 * serializers. Deeper than 8 levels a value is cut rather than risked.
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, 0) as T;
}

function redact(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const array = Array.isArray(value);
  if (!array) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
  }
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (array) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const r = redact(value[i], depth + 1);
      if (r !== value[i]) {
        out ??= value.slice();
        out[i] = r;
      }
    }
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const key in obj) {
    const v = obj[key];
    const r = isSecret(key) ? CENSOR : redact(v, depth + 1);
    if (r !== v) {
      out ??= { ...obj };
      out[key] = r;
    }
  }
  return out ?? obj;
}
