import { createHmac, timingSafeEqual } from 'node:crypto';
import { KEY_INFO } from '../vocabulary/index.js';

/**
 * The first signature form, `t=<unix s>,v1=<mac>` over service, time, app and user id only: it
 * binds neither the operation nor a nonce, so a captured header could be replayed for any other
 * operation within its window. Refused unless a service opts in (`allowV1`) for the time it takes
 * to upgrade the gateway after itself.
 */
const FORMAT = /^t=(\d{1,12}),v1=([A-Za-z0-9_-]{43})$/;

export const looksLikeV1 = (raw: string): boolean => FORMAT.test(raw);

export interface V1Fields {
  raw: string;
  service: string;
  app: string;
  userId: string;
}

/** The issue time (seconds) when the v1 MAC verifies, else null. */
export function verifyV1(key: Uint8Array, f: V1Fields): number | null {
  const m = FORMAT.exec(f.raw);
  if (!m) return null;
  const t = Number(m[1]);
  const expected = createHmac('sha256', key).update(`${KEY_INFO}\n${f.service}\n${t}\n${f.app}\n${f.userId}`).digest();
  const given = Buffer.from(m[2]!, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? t : null;
}
