import { createHmac, randomInt } from 'node:crypto';

/** Crockford's base32 without look-alikes: a code survives being read aloud or retyped. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_CODES = 10;
const LENGTH = 10; // 50 bits each

/** Recovery codes as shown once to the user (`XXXXX-XXXXX`); only their HMACs are stored. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODES }, () => {
    let raw = '';
    for (let i = 0; i < LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
}

/** What a typed code means: case, spaces and dashes do not matter. Undefined when it cannot be one. */
export function normalizeRecoveryCode(code: string): string | undefined {
  const c = code.toUpperCase().replace(/[\s-]/g, '');
  return c.length === LENGTH && [...c].every((ch) => ALPHABET.includes(ch)) ? c : undefined;
}

/**
 * HMAC-SHA-256 under `key` (`KEY_PURPOSES.recoveryCodes` derived from the secret): a leaked users
 * collection does not reveal the codes.
 */
export function recoveryCodeHasher(key: Buffer): (normalized: string) => string {
  return (normalized) => createHmac('sha256', key).update(normalized).digest('base64url');
}
