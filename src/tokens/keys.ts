import { createPublicKey, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { SigningAlgorithm } from '../config/index.js';

/**
 * Signing-key material: generation, the public half, and import into WebCrypto.
 * Pure crypto, no I/O; storage lives in key-store.ts.
 */

/** What a `kid` may look like: checked before a token's `kid` is used for anything (a map lookup only). */
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** RSA below 3072 bits is no longer recommended for new keys (ASVS 11.2.3); jose's floor is 2048. */
const RSA_MODULUS_BITS = 3072;
const HMAC_KEY_BYTES = 32;
const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const;

/** JWK members per key type. Everything else (`ext`, `key_ops`, …) is dropped so imports get exactly our flags. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  OKP: ['kty', 'crv', 'x'],
  EC: ['kty', 'crv', 'x', 'y'],
  RSA: ['kty', 'n', 'e'],
};
const PRIVATE_MEMBERS: Record<string, readonly string[]> = {
  OKP: ['kty', 'crv', 'x', 'd'],
  EC: ['kty', 'crv', 'x', 'y', 'd'],
  RSA: ['kty', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'],
  oct: ['kty', 'k'],
};

/** A fresh key. `privateJwk` is in clear: it must be sealed before it leaves the process. */
export interface KeyMaterial {
  kid: string;
  alg: SigningAlgorithm;
  /** Null for HS256: a shared secret has no public half and is never published. */
  publicJwk: JWK | null;
  /** The private key (asymmetric) or the shared secret (HS256, `kty: oct`). */
  privateJwk: JWK;
}

export async function generateKeyMaterial(alg: SigningAlgorithm): Promise<KeyMaterial> {
  if (alg === 'HS256') {
    // A thumbprint of a shared secret is a hash of the secret itself, so HMAC keys get a random kid.
    return {
      kid: randomBytes(32).toString('base64url'),
      alg,
      publicJwk: null,
      privateJwk: { kty: 'oct', k: randomBytes(HMAC_KEY_BYTES).toString('base64url') },
    };
  }
  const { privateKey } = await generateKeyPair(
    alg,
    alg === 'RS256' ? { extractable: true, modulusLength: RSA_MODULUS_BITS } : { extractable: true },
  );
  const privateJwk = pick(await exportJWK(privateKey), PRIVATE_MEMBERS);
  const publicJwk = publicHalf(privateJwk);
  return { kid: await thumbprint(publicJwk), alg, publicJwk, privateJwk };
}

/** The public members of a private JWK. */
export function publicHalf(privateJwk: JWK): JWK {
  return pick(privateJwk, PUBLIC_MEMBERS);
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url): the `kid` of an asymmetric key. */
export function thumbprint(publicJwk: JWK): Promise<string> {
  return calculateJwkThumbprint(publicJwk, 'sha256');
}

/** A non-extractable WebCrypto key for verifying: the public key, or the shared secret for HS256. */
export function importVerifyKey(alg: SigningAlgorithm, jwk: JWK): Promise<CryptoKey> {
  return alg === 'HS256' ? importHmac(jwk) : importAsymmetric(alg, pick(jwk, PUBLIC_MEMBERS));
}

/** The same verification key as a node:crypto KeyObject, for local-verify.ts (synchronous, off the thread pool). */
export function verifyKeyObject(alg: SigningAlgorithm, jwk: JWK): KeyObject {
  if (alg !== 'HS256') return createPublicKey({ key: { ...pick(jwk, PUBLIC_MEMBERS) }, format: 'jwk' });
  if (jwk.kty !== 'oct' || typeof jwk.k !== 'string') throw new Error('expected an HS256 secret');
  const raw = Buffer.from(jwk.k, 'base64url');
  if (raw.length < HMAC_KEY_BYTES) throw new Error(`HS256 secret shorter than ${HMAC_KEY_BYTES} bytes`);
  return createSecretKey(raw);
}

/** A non-extractable WebCrypto key for signing: the private key, or the shared secret for HS256. */
export function importSignKey(alg: SigningAlgorithm, privateJwk: JWK): Promise<CryptoKey> {
  return alg === 'HS256' ? importHmac(privateJwk) : importAsymmetric(alg, pick(privateJwk, PRIVATE_MEMBERS));
}

/** The JWKS entry of a public key. */
export function publishedJwk(kid: string, alg: SigningAlgorithm, publicJwk: JWK): Record<string, unknown> {
  return Object.freeze({ ...publicJwk, kid, alg, use: 'sig' });
}

async function importAsymmetric(alg: SigningAlgorithm, jwk: JWK): Promise<CryptoKey> {
  const key = await importJWK(jwk, alg, { extractable: false });
  if (key instanceof Uint8Array) throw new Error(`expected an asymmetric ${alg} key`);
  return key;
}

/** Imported once here because jose re-imports a raw (Uint8Array) HMAC secret on every sign and verify. */
async function importHmac(jwk: JWK): Promise<CryptoKey> {
  if (jwk.kty !== 'oct' || typeof jwk.k !== 'string') throw new Error('expected an HS256 secret');
  const raw = Buffer.from(jwk.k, 'base64url');
  if (raw.length < HMAC_KEY_BYTES) throw new Error(`HS256 secret shorter than ${HMAC_KEY_BYTES} bytes`);
  return crypto.subtle.importKey('raw', raw, HMAC, false, ['sign', 'verify']);
}

function pick(jwk: JWK, membersByType: Record<string, readonly string[]>): JWK {
  const members = typeof jwk.kty === 'string' ? membersByType[jwk.kty] : undefined;
  if (!members) throw new Error(`unsupported key type ${String(jwk.kty)}`);
  const out: Record<string, unknown> = {};
  for (const m of members) {
    const v = (jwk as Record<string, unknown>)[m];
    if (typeof v !== 'string') throw new Error(`JWK member "${m}" missing`);
    out[m] = v;
  }
  return out as JWK;
}
