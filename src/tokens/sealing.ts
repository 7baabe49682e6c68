import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM ciphertext of one secret, each part base64url. */
export interface Sealed {
  iv: string;
  ct: string;
  tag: string;
}

/** Encrypts secrets at rest, each bound to a context string (`aad`) so a ciphertext cannot be moved to another record. */
export interface Sealer {
  seal(plaintext: string, aad: string): Sealed;
  /** Throws when the ciphertext, its tag or its context do not match (wrong secret, tampering, moved record). */
  open(sealed: Sealed, aad: string): string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A sealer keyed by a 32-byte purpose key (`deriveKey(secret, purpose)` of src/core, at the
 * composition root): each purpose gets its own key, and the raw server secret never keys a cipher.
 */
export function createSealer(key: Buffer): Sealer {
  if (key.length !== 32) throw new Error('a sealing key is 32 bytes');
  return {
    seal(plaintext, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return {
        iv: iv.toString('base64url'),
        ct: ct.toString('base64url'),
        tag: cipher.getAuthTag().toString('base64url'),
      };
    },
    open(sealed, aad) {
      if (!isSealed(sealed)) throw new Error('malformed sealed value');
      // authTagLength pins the tag size: GCM would otherwise accept a truncated tag.
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

function isSealed(v: unknown): v is Sealed {
  if (typeof v !== 'object' || v === null) return false;
  const { iv, ct, tag } = v as Record<string, unknown>;
  return (
    typeof iv === 'string' &&
    typeof ct === 'string' &&
    typeof tag === 'string' &&
    Buffer.byteLength(iv, 'base64url') === IV_BYTES &&
    Buffer.byteLength(tag, 'base64url') === TAG_BYTES
  );
}
