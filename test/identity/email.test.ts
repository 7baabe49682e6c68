import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError, normalizeEmail } from '../../src/identity/index.js';

function refused(email: string) {
  assert.throws(
    () => normalizeEmail(email),
    (err: unknown) => err instanceof InputError && err.field === 'email',
    JSON.stringify(email),
  );
}

/** An address of exactly `total` bytes: a 64-byte local part and a domain of 63-char labels. */
function addressOfLength(total: number): string {
  const local = 'l'.repeat(64);
  let domain = '';
  while (local.length + 1 + domain.length + 4 < total)
    domain += `${'d'.repeat(Math.min(62, total - local.length - domain.length - 6))}.`;
  domain = `${domain}${'c'.repeat(total - local.length - 1 - domain.length)}`;
  return `${local}@${domain}`;
}

describe('normalizeEmail', () => {
  it('folds case, trims and keeps one canonical form', () => {
    const table: [string, string][] = [
      ['Mike@Example.COM', 'mike@example.com'],
      ['  mike@example.com\t', 'mike@example.com'],
      ['MIKE+tag@Sub.Example.com', 'mike+tag@sub.example.com'],
      ['jos\u00e9@example.com', 'jos\u00e9@example.com'], // NFC é
      ['jose\u0301@example.com', 'jos\u00e9@example.com'], // NFD é → the same account
      ['JOS\u00c9@example.com', 'jos\u00e9@example.com'],
      ['user@B\u00fccher.de', 'user@xn--bcher-kva.de'], // IDNA: the domain in ASCII form
    ];
    for (const [input, expected] of table) assert.equal(normalizeEmail(input), expected, input);
  });

  it('never merges a look-alike into an ASCII address (ı, ſ, K, ß, ligatures, fullwidth)', () => {
    for (const email of [
      'm\u0131ke@example.com', // dotless ı: upper-cases to I
      '\u017fam@example.com', // long s: NFKC gives s
      '\u212aate@example.com', // Kelvin sign: lower-cases to k
      'stra\u00dfe@example.com', // ß: upper-cases to SS
      '\ufb01le@example.com', // ﬁ ligature
      '\uff21bc@example.com', // fullwidth A
      'mike@ex\u0131mple.com', // in the domain too
      'M\u0130KE@example.com', // İ: lower-cases to i + combining dot
      'mike\uff20example.com', // fullwidth @
    ]) {
      refused(email);
    }
    // …and so the ASCII account stays distinct from anything that looks like it.
    assert.equal(normalizeEmail('mike@example.com'), 'mike@example.com');
  });

  it('refuses control, zero-width and bidi characters', () => {
    for (const email of [
      '\u200bmike@example.com',
      'mi\u200dke@example.com',
      'mike\u200c@example.com',
      '\u202emike@example.com',
      'mike@exa\u2066mple.com',
      'mike\u0000@example.com',
      'mi\nke@example.com',
      'mi ke@example.com',
      '\ufeffmi\ufeffke@example.com',
      'mike@example.com\ud800',
    ]) {
      refused(email);
    }
  });

  it('refuses malformed addresses', () => {
    for (const email of [
      '',
      '   ',
      'mike',
      'mike@',
      '@example.com',
      'mike@@example.com',
      'mi@ke@example.com',
      'mike@localhost',
      'mike@example',
      'mike@example.123',
      'mike@-example.com',
      'mike@example-.com',
      'mike@exa_mple.com',
      '.mike@example.com',
      'mike.@example.com',
      'mi..ke@example.com',
      'mi"ke@example.com',
      'mike@example..com',
    ]) {
      refused(email);
    }
  });

  it('enforces 254 bytes in all and 64 in the local part', () => {
    const ok = addressOfLength(254);
    assert.equal(ok.length, 254);
    assert.equal(normalizeEmail(ok), ok);
    const tooLong = addressOfLength(255);
    assert.equal(tooLong.length, 255);
    refused(tooLong);
    assert.equal(normalizeEmail(`${'a'.repeat(64)}@example.com`), `${'a'.repeat(64)}@example.com`);
    refused(`${'a'.repeat(65)}@example.com`);
    refused(`${'\u00e9'.repeat(33)}@example.com`); // 33 characters but 66 bytes
    refused(`${'a'.repeat(100_000)}@example.com`);
  });
});
