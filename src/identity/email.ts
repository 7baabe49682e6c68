// Hand-written, not zod's or validator's email check: those only match a pattern; identity keys also need IDN-to-ASCII normalisation and refusal of invisible code points.
import { domainToASCII } from 'node:url';
import { InputError } from './types.js';

/** RFC 5321 limits, in octets. */
export const MAX_EMAIL_BYTES = 254;
export const MAX_LOCAL_BYTES = 64;

// Control, format (zero-width, bidi), separator, surrogate, private-use and unassigned code points.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\s]/u;
const LOCAL_ATOM = "[\\p{L}\\p{M}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LOCAL_PART = new RegExp(`^${LOCAL_ATOM}(?:\\.${LOCAL_ATOM})*$`, 'u');
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const invalid = (message = 'Invalid email address') => new InputError('email', message);

/**
 * True for a non-ASCII character that some normalisation or case mapping turns into ASCII
 * (ı → I, ſ → s, K (Kelvin) → k, ß → SS, ﬁ → fi, fullwidth Ａ → A …). Such addresses could be
 * merged with, or reset, an ASCII account (GitHub's 2019 case-mapping bug), so they are refused.
 */
function foldsIntoAscii(ch: string): boolean {
  const variants = [ch.normalize('NFKC'), ch.toLowerCase(), ch.toUpperCase()];
  return variants.some((v) => hasAscii(v) || hasAscii(v.normalize('NFKC')));
}

const isAscii = (ch: string) => ch.codePointAt(0)! < 0x80;
const hasAscii = (s: string) => [...s].some(isAscii);

/**
 * The canonical form of an email address: trimmed, NFKC, lower-cased, domain in IDNA ASCII form.
 * Throws InputError('email') for anything that is not a plain, unambiguous address.
 */
export function normalizeEmail(email: string): string {
  if (typeof email !== 'string') throw invalid();
  const trimmed = email.trim();
  // A cheap bound before any Unicode work: each UTF-16 unit is at least one UTF-8 byte.
  if (trimmed.length === 0 || trimmed.length > MAX_EMAIL_BYTES) throw invalid();
  if (INVISIBLE.test(trimmed)) throw invalid();
  for (const ch of trimmed) {
    if (!isAscii(ch) && foldsIntoAscii(ch)) throw invalid();
  }
  const folded = trimmed.normalize('NFKC').toLowerCase();
  if (INVISIBLE.test(folded)) throw invalid();
  const parts = folded.split('@');
  if (parts.length !== 2) throw invalid();
  const [local, domain] = parts as [string, string];
  if (!local || Buffer.byteLength(local) > MAX_LOCAL_BYTES || !LOCAL_PART.test(local)) throw invalid();
  const asciiDomain = domainToASCII(domain);
  const labels = asciiDomain.split('.');
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l)) || /^\d+$/.test(labels.at(-1)!)) {
    throw invalid();
  }
  const normalized = `${local}@${asciiDomain}`;
  if (Buffer.byteLength(normalized) > MAX_EMAIL_BYTES) throw invalid();
  return normalized;
}

/** The local part of a normalized address (for the password policy's context words). */
export const localPartOf = (normalizedEmail: string) => normalizedEmail.slice(0, normalizedEmail.lastIndexOf('@'));
