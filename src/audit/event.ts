import type { ObjectId } from 'mongodb';
import type { AuditEvent, AuditEventInput, AuditOutcome, AuditType } from './types.js';

/** An `audit_events` document. */
export interface AuditDoc {
  _id: ObjectId;
  app: string;
  type: AuditType;
  outcome: AuditOutcome;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  details?: Record<string, string | number | boolean>;
  at: Date;
  /** `at` + the app's retention; past it the event is invisible and garbage. */
  expiresAt: Date;
}

export const MAX_TEXT = 200;
const MAX_ID = 128;
const MAX_DETAILS = 20;
const MAX_KEY = 64;
/** Detail keys that name a credential: their value is never stored, whatever the caller passed. */
const SECRET_KEY = /pass|token|secret|cookie|authori[sz]ation|credential|hash|private|api.?key/i;
/** Values that are recognisably credentials (a bearer header, a JWT), whatever their key. */
const SECRET_VALUE = /^(?:bearer\s|eyJ[\w-]{5,}\.)/i;
/** Keys MongoDB (and FerretDB) refuse or misread. */
const UNSAFE_KEY = /^\$|\./;

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
const text = (v: string | null | undefined, max: number) => (typeof v === 'string' && v !== '' ? clip(v, max) : null);

/**
 * Details reduced to small, non-secret facts: primitives only (other values are dropped),
 * strings cut at 200 characters, credential-named keys and credential-shaped values redacted,
 * at most 20 keys.
 */
export function sanitizeDetails(details: unknown): Record<string, string | number | boolean> | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const out: Record<string, string | number | boolean> = {};
  let n = 0;
  for (const [key, value] of Object.entries(details)) {
    if (n === MAX_DETAILS) break;
    if (key.length > MAX_KEY || UNSAFE_KEY.test(key)) continue;
    if (typeof value === 'string') {
      out[key] = SECRET_KEY.test(key) || SECRET_VALUE.test(value) ? '[redacted]' : clip(value, MAX_TEXT);
    } else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      out[key] = SECRET_KEY.test(key) ? '[redacted]' : value;
    } else continue;
    n++;
  }
  return n === 0 ? undefined : out;
}

/** The document stored for an event recorded at `at`, kept `retentionMs`. */
export function toAuditDoc(input: AuditEventInput, id: ObjectId, at: Date, retentionMs: number): AuditDoc {
  const doc: AuditDoc = {
    _id: id,
    app: input.app,
    type: input.type,
    outcome: input.outcome,
    userId: text(input.userId, MAX_ID),
    sessionId: text(input.sessionId, MAX_ID),
    ip: text(input.ip, 64),
    userAgent: text(input.userAgent, MAX_TEXT),
    at,
    expiresAt: new Date(at.getTime() + retentionMs),
  };
  const details = sanitizeDetails(input.details);
  if (details) doc.details = details;
  return doc;
}

export function toAuditEvent(doc: AuditDoc): AuditEvent {
  const event: AuditEvent = {
    id: doc._id.toHexString(),
    at: doc.at,
    app: doc.app,
    type: doc.type,
    outcome: doc.outcome,
    userId: doc.userId,
    sessionId: doc.sessionId,
    ip: doc.ip,
    userAgent: doc.userAgent,
  };
  if (doc.details) event.details = doc.details;
  return event;
}

export const MAX_PAGE = 500;

/** `first` clamped to 1..500 (refusing bad input is the GraphQL layer's job). */
export function clampFirst(first: number): number {
  if (!Number.isFinite(first)) return first > 0 ? MAX_PAGE : 1;
  return Math.min(MAX_PAGE, Math.max(1, Math.trunc(first)));
}
