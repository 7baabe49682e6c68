import { hkdfSync } from 'node:crypto';

/**
 * Every purpose a key is derived from GATEHOUSE_SECRET for, in one table so no two uses can
 * share a key by accident. The strings are part of the data at rest: changing one makes what
 * was sealed or hashed with the old key unreadable.
 */
export const KEY_PURPOSES = {
  /** Seals the private halves of JWT signing keys. */
  signingKeys: 'gatehouse/signing-keys',
  /** Seals TOTP secrets. */
  totp: 'gatehouse/totp-v1',
  /** Keys the HMAC recovery codes are stored under. */
  recoveryCodes: 'gatehouse/recovery-codes-v1',
  /** Keys the refresh-token successor chain (reuse detection). */
  refreshSuccessor: 'gatehouse/refresh-successor',
} as const;

export type KeyPurpose = (typeof KEY_PURPOSES)[keyof typeof KEY_PURPOSES];

/** HKDF-SHA-256(secret, purpose), 32 bytes: the raw server secret never keys anything itself. */
export function deriveKey(secret: string, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), purpose, 32));
}
