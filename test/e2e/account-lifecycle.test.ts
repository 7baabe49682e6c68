/**
 * Issue 19 end to end over HTTP: e-mail verification, password reset and TOTP, with the messages
 * received by a real SMTP server and the links in them followed, and the hostile cases — forged,
 * expired and reused tokens, resets for unknown addresses, TOTP replay, recovery code reuse, and
 * brute force on `totpCode`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { OffsetClock } from '../../src/clock.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { type SmtpCatcher, startSmtpCatcher, tokenIn } from '../helpers/smtp.js';
import { strongPassword, uniqueEmail } from '../helpers/users.js';

const REGISTER = 'mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }';
const LOGIN = 'mutation($i: LoginInput!) { login(input: $i) { accessToken user { id emailVerified mfaEnabled } } }';
const ME = '{ me { id roles emailVerified mfaEnabled } }';

type Login = { login: { accessToken: string; user: { id: string; emailVerified: boolean; mfaEnabled: boolean } } };
type Me = { me: { id: string; roles: string[]; emailVerified: boolean; mfaEnabled: boolean } | null };

describe('account lifecycle over HTTP, with real SMTP', () => {
  let smtp: SmtpCatcher;
  let gh: TestInstance;
  const clock = new OffsetClock();

  before(async () => {
    smtp = await startSmtpCatcher();
    gh = await startGatehouse({
      clock,
      manifest: {
        slug: 'life',
        name: 'Lifecycle',
        auth: {
          users: { allow_registration: true, require_email_verification: true },
          email: {
            smtp_url: smtp.url,
            from: 'Lifecycle <auth@life.example.test>',
            verify_url: 'https://life.example.test/verify?token={token}',
            reset_url: 'https://life.example.test/reset?token={token}',
          },
          mfa: { enabled: true, required_roles: ['admin'] },
          policy: {
            authorization: {
              default_roles: ['user', 'editor'],
              initial_roles: [{ user: 'lead@life.example.test', role: 'reviewer' }],
            },
          },
          rate_limits: {
            login: { max_attempts: 5, window_seconds: 900 },
            login_ip: { max_attempts: 10_000, window_seconds: 60 },
            register: { max_attempts: 10_000, window_seconds: 60 },
            password_reset_ip: { max_attempts: 10_000, window_seconds: 60 },
          },
        },
      },
    });
  });
  after(async () => {
    await gh?.close();
    await smtp?.close();
  });

  const login = (email: string, password: string, totpCode?: string) =>
    gql<Login, object>(gh.url, LOGIN, { i: { email, password, ...(totpCode ? { totpCode } : {}) } });
  const me = async (token: string) => (await gql<Me, object>(gh.url, ME, {}, { token })).data?.me;

  /** Registers and follows the verification link of the message that arrives. */
  async function verifiedUser(email = uniqueEmail('life')) {
    const password = strongPassword();
    const mail = smtp.next(email);
    const r = await gql<{ register: { accessToken: string; user: { id: string } } }, object>(gh.url, REGISTER, {
      i: { email, password },
    });
    assert.ok(r.data?.register, JSON.stringify(r.errors));
    const v = await gql<{ verifyEmail: boolean }, object>(gh.url, 'mutation($t: String!) { verifyEmail(token: $t) }', {
      t: tokenIn(await mail),
    });
    assert.equal(v.data?.verifyEmail, true, JSON.stringify(v.errors));
    const signed = await login(email, password);
    assert.ok(signed.data?.login, JSON.stringify(signed.errors));
    return { email, password, id: signed.data.login.user.id, token: signed.data.login.accessToken };
  }

  it('verification: the link in the message verifies; until then login is refused and extra roles wait', async () => {
    const email = 'lead@life.example.test';
    const password = strongPassword();
    const mail = smtp.next(email);
    const reg = await gql<{ register: { accessToken: string } }, object>(gh.url, REGISTER, { i: { email, password } });
    assert.ok(reg.data?.register.accessToken, JSON.stringify(reg.errors));
    const message = await mail;
    assert.equal(message.from?.value[0]?.address, 'auth@life.example.test');
    assert.match(message.subject ?? '', /Confirm your e-mail address for Lifecycle/);
    assert.match(message.text ?? '', /https:\/\/life\.example\.test\/verify\?token=/);
    assert.deepEqual((await me(reg.data.register.accessToken))?.roles, ['user'], 'editor and reviewer wait');

    const refused = await login(email, password);
    assert.equal(codeOf(refused), 'FORBIDDEN');
    assert.equal(refused.errors?.[0]?.extensions?.reason, 'EMAIL_NOT_VERIFIED');

    const verify = (t: string) =>
      gql<{ verifyEmail: boolean }, object>(gh.url, 'mutation($t: String!) { verifyEmail(token: $t) }', { t });
    const token = tokenIn(message);
    for (const forged of [
      'x',
      `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
      'A'.repeat(43),
      '{"$ne":1}',
    ]) {
      const r = await verify(forged);
      assert.equal(codeOf(r), 'BAD_USER_INPUT', forged);
      assert.equal(r.errors?.[0]?.extensions?.field, 'token');
    }
    assert.equal((await verify(token)).data?.verifyEmail, true);
    assert.equal(codeOf(await verify(token)), 'BAD_USER_INPUT', 'a token works once');

    const ok = await login(email, password);
    assert.equal(ok.data?.login.user.emailVerified, true, JSON.stringify(ok.errors));
    assert.deepEqual((await me(ok.data!.login.accessToken))?.roles.sort(), ['editor', 'reviewer', 'user']);
    const again = await gql<{ requestEmailVerification: boolean }, object>(
      gh.url,
      'mutation { requestEmailVerification }',
      {},
      { token: ok.data!.login.accessToken },
    );
    assert.equal(again.data?.requestEmailVerification, false, 'already verified: nothing sent');
  });

  it('verification: a resent link works, an expired one does not', async () => {
    const email = uniqueEmail('late');
    const first = smtp.next(email);
    const reg = await gql<{ register: { accessToken: string } }, object>(gh.url, REGISTER, {
      i: { email, password: strongPassword() },
    });
    const stale = tokenIn(await first);
    const second = smtp.next(email);
    const resent = await gql<{ requestEmailVerification: boolean }, object>(
      gh.url,
      'mutation { requestEmailVerification }',
      {},
      { token: reg.data!.register.accessToken },
    );
    assert.equal(resent.data?.requestEmailVerification, true, JSON.stringify(resent.errors));
    const fresh = tokenIn(await second);
    assert.notEqual(fresh, stale);
    clock.advance(25 * 3600_000); // past verify_ttl (24 h) for both
    try {
      const r = await gql(gh.url, 'mutation($t: String!) { verifyEmail(token: $t) }', { t: fresh });
      assert.equal(codeOf(r), 'BAD_USER_INPUT');
    } finally {
      clock.advance(-25 * 3600_000);
    }
  });

  it('password reset: always true and no message for an unknown address; the link sets a password once and ends every session', async () => {
    const u = await verifiedUser();
    const ask = (email: string) =>
      gql<{ requestPasswordReset: boolean }, object>(
        gh.url,
        'mutation($e: String!) { requestPasswordReset(email: $e) }',
        {
          e: email,
        },
      );
    const nobody = uniqueEmail('nobody');
    const timings: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    const resetMail = smtp.next(u.email);
    // Alternating, 3 each (the per-address limit): the answer comes before anything that depends on the address.
    for (let i = 0; i < 3; i++) {
      for (const [kind, email] of [
        ['unknown', nobody],
        ['known', u.email],
      ] as const) {
        const t0 = performance.now();
        const r = await ask(email);
        timings[kind].push(performance.now() - t0);
        assert.equal(r.data?.requestPasswordReset, true, JSON.stringify(r.errors));
      }
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[1]!;
    const gap = Math.abs(median(timings.known) - median(timings.unknown));
    assert.ok(gap < 100, `known ${timings.known.map(Math.round)} ms vs unknown ${timings.unknown.map(Math.round)} ms`);
    const message = await resetMail;
    assert.match(message.text ?? '', /https:\/\/life\.example\.test\/reset\?token=/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(smtp.to(nobody).length, 0, 'nothing is sent for an unknown address');
    const token = tokenIn(message);
    const reset = (t: string, p: string) =>
      gql<{ resetPassword: boolean }, object>(
        gh.url,
        'mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }',
        { t, p },
      );
    const weak = await reset(token, 'password');
    assert.equal(codeOf(weak), 'BAD_USER_INPUT');
    assert.equal(weak.errors?.[0]?.extensions?.field, 'newPassword');
    assert.equal(codeOf(await reset('A'.repeat(43), strongPassword())), 'BAD_USER_INPUT', 'forged');

    const next = strongPassword();
    assert.equal((await reset(token, next)).data?.resetPassword, true, 'a weak try did not burn the token');
    assert.equal(codeOf(await reset(token, strongPassword())), 'BAD_USER_INPUT', 'single use');
    const deadline = Date.now() + 2000;
    while ((await me(u.token)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await me(u.token), undefined, 'the old session ended');
    assert.equal(codeOf(await login(u.email, u.password)), 'UNAUTHENTICATED');
    assert.ok((await login(u.email, next)).data?.login, 'the new password works');
    const audit = gh.gatehouse.services.audit;
    await audit.flush();
    const types = (await audit.query('life', { first: 50, userId: u.id })).map((e) => `${e.type}:${e.outcome}`);
    for (const t of [
      'email_verification_sent:success',
      'email_verified:success',
      'password_reset_requested:success',
      'password_reset:success',
    ])
      assert.ok(types.includes(t), `${t} in ${types}`);
  });

  it('password reset: an expired token is refused; requests are limited per address', async () => {
    const u = await verifiedUser();
    const mail = smtp.next(u.email);
    await gql(gh.url, 'mutation($e: String!) { requestPasswordReset(email: $e) }', { e: u.email });
    const token = tokenIn(await mail);
    clock.advance(31 * 60_000);
    try {
      const r = await gql(gh.url, 'mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }', {
        t: token,
        p: strongPassword(),
      });
      assert.equal(codeOf(r), 'BAD_USER_INPUT', 'expired after 30 min');
    } finally {
      clock.advance(-31 * 60_000);
    }
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++)
      codes.push(
        codeOf(await gql(gh.url, 'mutation($e: String!) { requestPasswordReset(email: $e) }', { e: u.email })),
      );
    assert.equal(codes.at(-1), 'RATE_LIMITED', JSON.stringify(codes));
  });

  it('TOTP: enrol, login needs the code, a code and a recovery code work once, then disable', async () => {
    const u = await verifiedUser();
    const call = <R>(query: string, variables: object = {}) =>
      gql<R, object>(gh.url, query, variables, { token: u.token });
    const enrol = await call<{ enrollTotp: { secret: string; otpauthUri: string } }>(
      'mutation { enrollTotp { secret otpauthUri } }',
    );
    const secret = enrol.data!.enrollTotp.secret;
    assert.match(enrol.data!.enrollTotp.otpauthUri, /^otpauth:\/\/totp\/Lifecycle:/);
    const codeAt = (offsetSteps = 0) => generate({ secret, epoch: Math.floor(clock.ms() / 1000) + offsetSteps * 30 });

    assert.equal(
      codeOf(await call('mutation($c: String!) { confirmTotp(code: $c) }', { c: '000000' })),
      'UNAUTHENTICATED',
    );
    const confirmed = await call<{ confirmTotp: string[] }>('mutation($c: String!) { confirmTotp(code: $c) }', {
      c: await codeAt(),
    });
    const recovery = confirmed.data?.confirmTotp ?? [];
    assert.equal(recovery.length, 10, JSON.stringify(confirmed.errors));
    assert.equal((await me(u.token))?.mfaEnabled, true);

    assert.equal(codeOf(await login(u.email, u.password)), 'MFA_REQUIRED');
    assert.equal(codeOf(await login(u.email, u.password, '123456')), 'UNAUTHENTICATED');
    assert.equal(codeOf(await login(u.email, 'Wrong-Password-Again-2024', await codeAt(1))), 'UNAUTHENTICATED');
    const code = await codeAt(1);
    assert.ok((await login(u.email, u.password, code)).data?.login, 'the right code');
    assert.equal(codeOf(await login(u.email, u.password, code)), 'UNAUTHENTICATED', 'no replay of a code');
    assert.ok((await login(u.email, u.password, recovery[0]!.toLowerCase())).data?.login, 'a recovery code');
    assert.equal(codeOf(await login(u.email, u.password, recovery[0]!)), 'UNAUTHENTICATED', 'used once');

    const off = await call<{ disableTotp: boolean }>('mutation($c: String!) { disableTotp(code: $c) }', {
      c: recovery[1]!,
    });
    assert.equal(off.data?.disableTotp, true, JSON.stringify(off.errors));
    assert.ok((await login(u.email, u.password)).data?.login, 'no code needed any more');
  });

  it('TOTP: guessing codes is counted by the brute-force limit, and locks like wrong passwords', async () => {
    const u = await verifiedUser();
    const enrol = await gql<{ enrollTotp: { secret: string } }, object>(
      gh.url,
      'mutation { enrollTotp { secret } }',
      {},
      { token: u.token },
    );
    const secret = enrol.data!.enrollTotp.secret;
    await gql(
      gh.url,
      'mutation($c: String!) { confirmTotp(code: $c) }',
      { c: await generate({ secret, epoch: Math.floor(clock.ms() / 1000) }) },
      { token: u.token },
    );
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 7; i++) codes.push(codeOf(await login(u.email, u.password, String(100000 + i))));
    assert.deepEqual(codes.slice(0, 5), Array(5).fill('UNAUTHENTICATED'));
    assert.equal(codes.at(-1), 'RATE_LIMITED', JSON.stringify(codes));
    const right = await generate({ secret, epoch: Math.floor(clock.ms() / 1000) + 30 });
    assert.equal(codeOf(await login(u.email, u.password, right)), 'RATE_LIMITED', 'locked: even the right code waits');
  });

  it('auth.mfa.required_roles: an admin without TOTP can only enrol; once confirmed, everything opens', async () => {
    const u = await verifiedUser();
    await gh.gatehouse.services.authz('life').grantRole('life', u.id, 'admin');
    const blocked = await gql(gh.url, ME, {}, { token: u.token });
    assert.equal(codeOf(blocked), 'FORBIDDEN');
    assert.equal(blocked.errors?.[0]?.extensions?.reason, 'MFA_ENROLLMENT_REQUIRED');
    const enrol = await gql<{ enrollTotp: { secret: string } }, object>(
      gh.url,
      'mutation { enrollTotp { secret } }',
      {},
      { token: u.token },
    );
    assert.ok(enrol.data?.enrollTotp.secret, JSON.stringify(enrol.errors));
    const c = await generate({ secret: enrol.data.enrollTotp.secret, epoch: Math.floor(clock.ms() / 1000) });
    const confirmed = await gql(gh.url, 'mutation($c: String!) { confirmTotp(code: $c) }', { c }, { token: u.token });
    assert.equal(confirmed.errors, undefined);
    assert.equal((await me(u.token))?.mfaEnabled, true);
  });
});

describe('account lifecycle without SMTP: the local outbox', () => {
  let gh: TestInstance;
  let outbox: string;
  before(async () => {
    outbox = await mkdtemp(join(tmpdir(), 'gh-outbox-'));
    gh = await startGatehouse({
      env: { GATEHOUSE_OUTBOX: outbox },
      manifest: { slug: 'dev', auth: { users: { allow_registration: true } } },
    });
  });
  after(async () => {
    await gh?.close();
    await rm(outbox, { recursive: true, force: true });
  });

  it('writes the message as an .eml file whose code verifies the address', async () => {
    const email = uniqueEmail('dev');
    const reg = await gql<{ register: { accessToken: string } }, object>(gh.url, REGISTER, {
      i: { email, password: strongPassword() },
    });
    const sent = await gql(
      gh.url,
      'mutation { requestEmailVerification }',
      {},
      { token: reg.data!.register.accessToken },
    );
    assert.equal(sent.errors, undefined);
    const files = (await readdir(outbox)).filter((f) => f.endsWith('.eml'));
    assert.equal(files.length, 1);
    const raw = await readFile(join(outbox, files[0]!), 'utf8');
    assert.match(raw, new RegExp(`To: ${email.replace('.', '\\.')}`));
    const token = /\b[A-Za-z0-9_-]{43}\b/.exec(raw.split('\n\n').slice(1).join('\n'))?.[0];
    assert.ok(token, raw);
    const v = await gql<{ verifyEmail: boolean }, object>(gh.url, 'mutation($t: String!) { verifyEmail(token: $t) }', {
      t: token,
    });
    assert.equal(v.data?.verifyEmail, true, JSON.stringify(v.errors));
    assert.equal(
      (await gql<Me, object>(gh.url, ME, {}, { token: reg.data!.register.accessToken })).data?.me?.emailVerified,
      true,
    );
  });
});
