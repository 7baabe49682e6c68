/**
 * The Ed25519 check of own tokens (src/tokens/ed25519.ts): libsodium where its prebuilt binary
 * exists, node:crypto otherwise — and libsodium never accepts what OpenSSL refuses.
 */
import assert from 'node:assert/strict';
import nodeCrypto, { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ed25519 } from '../../src/tokens/ed25519.js';

const openssl = (key: nodeCrypto.KeyObject, message: Buffer, signature: Buffer) => {
  try {
    return nodeCrypto.verify(null, message, key, signature);
  } catch {
    return false;
  }
};

/** The group order L, little-endian, as Ed25519 encodes S. */
const L = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');

function addLittleEndian(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(32);
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const sum = a[i]! + b[i]! + carry;
    out[i] = sum & 0xff;
    carry = sum >> 8;
  }
  return out;
}

describe('Ed25519 verification of own tokens', () => {
  it('uses libsodium where sodium-native ships a binary (linux-x64 here)', () => {
    if (process.platform === 'linux' && process.arch === 'x64') assert.equal(ed25519.implementation(), 'libsodium');
  });

  it('agrees with node:crypto on valid signatures, bit flips, other keys and other messages', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519').publicKey;
    for (let i = 0; i < 200; i++) {
      const message = randomBytes(20 + i);
      const signature = nodeCrypto.sign(null, message, privateKey);
      assert.equal(ed25519.verify(publicKey, message, signature), true);
      assert.equal(ed25519.verify(other, message, signature), false, 'another key');
      const flipped = Buffer.from(signature);
      flipped[i % 64]! ^= 1 << (i % 8);
      assert.equal(ed25519.verify(publicKey, message, flipped), openssl(publicKey, message, flipped));
      assert.equal(ed25519.verify(publicKey, message, flipped), false, 'a flipped signature bit');
      const changed = Buffer.from(message);
      changed[i % changed.length]! ^= 0x80;
      assert.equal(ed25519.verify(publicKey, changed, signature), false, 'a changed message');
    }
  });

  it('refuses malleated and degenerate signatures (S + L, zeros, wrong length) and non-Ed25519 keys', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const message = Buffer.from('header.claims');
    const signature = nodeCrypto.sign(null, message, privateKey);
    const malleated = Buffer.concat([signature.subarray(0, 32), addLittleEndian(signature.subarray(32), L)]);
    assert.equal(ed25519.verify(publicKey, message, malleated), false, 'S + L (non-canonical S)');
    assert.equal(openssl(publicKey, message, malleated), false, 'OpenSSL refuses it as well');
    assert.equal(ed25519.verify(publicKey, message, Buffer.alloc(64)), false);
    assert.equal(ed25519.verify(publicKey, message, signature.subarray(0, 63)), false);
    assert.equal(ed25519.verify(publicKey, message, Buffer.concat([signature, Buffer.alloc(1)])), false);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    assert.equal(ed25519.verify(ec, message, signature), false);
    assert.equal(ed25519.verify(privateKey, message, signature), false, 'a private KeyObject is not a verify key');
  });
});
