// Ed25519 signature checks for the server's own tokens. libsodium (sodium-native, an optional dependency)
// verifies in ≈ 88 µs where node:crypto's OpenSSL takes ≈ 150 µs on this machine kind (bench/README.md,
// issue 16): most of a first-sight EdDSA request. Both implement RFC 8032 verification; libsodium is the
// stricter (it also refuses small-order keys and R values), so whichever answers, a forgery is refused.
// Without the native module (a platform it has no prebuilt binary for), node:crypto does the check.
import { createRequire } from 'node:module';
import nodeCrypto, { type KeyObject } from 'node:crypto';

interface Sodium {
  crypto_sign_verify_detached(signature: Buffer, message: Buffer, publicKey: Buffer): boolean;
}

let sodium: Sodium | null | undefined; // undefined: not tried yet; null: not installed

/** Loaded at the first check, not at import: `gatehouse/plugin` imports this module and never verifies with it. */
function loaded(): Sodium | null {
  if (sodium === undefined) {
    try {
      sodium = createRequire(import.meta.url)('sodium-native') as Sodium;
    } catch {
      sodium = null;
    }
  }
  return sodium;
}

/** The raw 32-byte public key of each KeyObject, exported once. */
const rawKeys = new WeakMap<KeyObject, Buffer>();

function rawKey(key: KeyObject): Buffer {
  let raw = rawKeys.get(key);
  if (raw === undefined) {
    raw = Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');
    rawKeys.set(key, raw);
  }
  return raw;
}

/** Called through this object (not a bare function), so a test can count signature checks. */
export const ed25519 = {
  /** Which implementation checks signatures in this process. */
  implementation(): 'libsodium' | 'node:crypto' {
    return loaded() ? 'libsodium' : 'node:crypto';
  },
  /** Whether `signature` (64 bytes) is `key`'s Ed25519 signature of `message`; `key` an ed25519 public KeyObject. */
  verify(key: KeyObject, message: Buffer, signature: Buffer): boolean {
    if (key.asymmetricKeyType !== 'ed25519' || key.type !== 'public' || signature.length !== 64) return false;
    const lib = loaded();
    if (lib) return lib.crypto_sign_verify_detached(signature, message, rawKey(key));
    return nodeCrypto.verify(null, message, key, signature);
  },
};
