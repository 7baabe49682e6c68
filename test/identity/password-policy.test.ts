import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPasswordPolicy, PASSWORD_LIMITS, preparePassword } from '../../src/identity/index.js';

const reasonsOf = (pw: string, email?: string) => {
  const v = checkPasswordPolicy(pw, { email: email ?? null, words: ['acme'] });
  return v.ok ? [] : v.reasons;
};

// 128 characters with no pattern zxcvbn would call weak.
const SAFE_128 = 'Gf7#kQ2m!vXz9@Lp4$Wt8^Rb1&Nc6*Hd3(Js5)Ye0-Ua'.repeat(3).slice(0, 128);

describe('password policy', () => {
  it('refuses with reasons: length, common, weak, built from the email', () => {
    const table: [string, string, string | undefined][] = [
      ['Xk7#pq2', 'TOO_SHORT', undefined], // 7 characters
      ['Xk7#pq2'.repeat(19).slice(0, 129), 'TOO_LONG', undefined], // 129 characters
      ['x'.repeat(1025), 'TOO_LONG', undefined], // > 1 KiB
      ['password123', 'COMMON', undefined],
      ['qwertyuiop', 'WEAK', undefined],
      ['iloveyou', 'COMMON', undefined],
      ['aaaaaaaaaaaa', 'WEAK', undefined],
      ['12345678', 'COMMON', undefined],
      ['johnsmith-rocks-at-night-7', 'CONTAINS_EMAIL', 'johnsmith@example.com'],
      ['acme12345', 'WEAK', undefined], // the app's own name counts as a guessable word
    ];
    for (const [pw, reason, email] of table) {
      const reasons = reasonsOf(pw, email);
      assert.ok(reasons.includes(reason as never), `${pw.slice(0, 20)}… gave [${reasons}] not ${reason}`);
    }
    assert.ok(checkPasswordPolicy('acme12345').ok, 'without the context words the same password passes');
  });

  it('accepts long passphrases, Unicode and emoji, up to 128 characters', () => {
    const passphrase = 'violet tractor drifting under a quiet copper moon at half past 9';
    assert.equal(passphrase.length, 64);
    for (const pw of [passphrase, 'Zq8!vR2#mW5$', 'ünïcödé-schlüssel-🔑-42', SAFE_128]) {
      const v = checkPasswordPolicy(pw, { email: 'someone@example.com' });
      assert.ok(v.ok, `${pw} → ${v.ok ? '' : v.reasons}`);
    }
    assert.equal([...SAFE_128].length, PASSWORD_LIMITS.maxChars);
  });

  it('applies NFKC without truncating or case-folding', () => {
    const nfc = 'caf\u00e9-Tr0mbone-Harbor';
    const nfd = 'cafe\u0301-Tr0mbone-Harbor';
    const a = preparePassword(nfc);
    const b = preparePassword(nfd);
    assert.ok(a.ok && b.ok);
    assert.equal(a.password, b.password);
    const upper = preparePassword(nfc.toUpperCase());
    assert.ok(upper.ok && upper.password !== a.password);
    const long = preparePassword(SAFE_128);
    assert.ok(long.ok && long.password === SAFE_128);
  });

  it('refuses a 1 MB password at once, without normalizing it', () => {
    const started = performance.now();
    const v = checkPasswordPolicy('é'.repeat(1_000_000));
    const ms = performance.now() - started;
    assert.ok(!v.ok && v.reasons[0] === 'TOO_LONG');
    assert.ok(ms < 50, `${ms} ms`);
  });

  it('refuses lone surrogates (they would be hashed as U+FFFD)', () => {
    const v = preparePassword('abc\ud800defghij');
    assert.ok(!v.ok && v.reasons.includes('INVALID'));
  });
});
