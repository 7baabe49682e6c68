import { localPartOf } from './email.js';
import { isCommonPassword, MIN_SCORE, strengthScore } from './strength.js';

export type PasswordReason = 'TOO_SHORT' | 'TOO_LONG' | 'COMMON' | 'WEAK' | 'CONTAINS_EMAIL' | 'INVALID';

/** ASVS 6.2.1 / 6.2.9 / 4.0.3 2.1.2: 8 to 128 characters (code points), and at most 1 KiB of UTF-8. */
export const PASSWORD_LIMITS = { minChars: 8, maxChars: 128, maxBytes: 1024 } as const;

/** Context words a password must not be built from. */
export interface PasswordContext {
  /** The normalized email of the account. */
  email?: string | null;
  /** App slug, name… */
  words?: string[];
}

export type PasswordVerdict =
  | { ok: true; password: string }
  | { ok: false; reasons: PasswordReason[]; message: string };

const MESSAGES: Record<PasswordReason, string> = {
  TOO_SHORT: `Password must be at least ${PASSWORD_LIMITS.minChars} characters`,
  TOO_LONG: `Password must be at most ${PASSWORD_LIMITS.maxChars} characters and ${PASSWORD_LIMITS.maxBytes} bytes`,
  COMMON: 'Password is too common',
  WEAK: 'Password is too easy to guess',
  CONTAINS_EMAIL: 'Password must not contain your email address',
  INVALID: 'Password contains invalid characters',
};

const LONE_SURROGATE = /\p{Cs}/u;

const refuse = (reasons: PasswordReason[]): PasswordVerdict => ({
  ok: false,
  reasons,
  message: MESSAGES[reasons[0]!],
});

/**
 * The password as it is hashed and verified: NFKC (NIST 800-63B), never truncated nor case-folded,
 * so register and login agree on "é" typed as NFC or NFD. Refuses oversize input before any
 * Unicode work or hashing, so a 1 MB password costs nothing. Used at login (no strength rules).
 */
export function preparePassword(raw: string): PasswordVerdict {
  if (typeof raw !== 'string') return refuse(['INVALID']);
  // Each UTF-16 unit is at least one UTF-8 byte: a cheap bound before any other work.
  if (raw.length > PASSWORD_LIMITS.maxBytes) return refuse(['TOO_LONG']);
  if (LONE_SURROGATE.test(raw)) return refuse(['INVALID']); // would be hashed as U+FFFD
  const password = raw.normalize('NFKC');
  const chars = [...password].length;
  if (chars > PASSWORD_LIMITS.maxChars || Buffer.byteLength(password) > PASSWORD_LIMITS.maxBytes) {
    return refuse(['TOO_LONG']);
  }
  return { ok: true, password };
}

/** The full policy for a new password (register, createUser, changePassword). Pure. */
export function checkPasswordPolicy(raw: string, context: PasswordContext = {}): PasswordVerdict {
  const prepared = preparePassword(raw);
  if (!prepared.ok) return prepared;
  const { password } = prepared;
  if ([...password].length < PASSWORD_LIMITS.minChars) return refuse(['TOO_SHORT']);
  const reasons: PasswordReason[] = [];
  if (isCommonPassword(password)) reasons.push('COMMON');
  const local = context.email ? localPartOf(context.email) : '';
  // Very short local parts ("a@…") would forbid half the alphabet; three letters is a real word.
  if (local.length >= 3 && password.toLowerCase().includes(local)) reasons.push('CONTAINS_EMAIL');
  const inputs = [...(context.email ? [context.email, local] : []), ...(context.words ?? [])];
  if (strengthScore(password, inputs) < MIN_SCORE) reasons.push('WEAK');
  return reasons.length ? refuse(reasons) : prepared;
}
