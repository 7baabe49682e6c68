/**
 * The mail server is a dependency that fails on its own: while it is down a registration that
 * happened still answers with its session, the failure is audited and counted (by code, never
 * with the address), an explicit resend says SERVICE_UNAVAILABLE, and once the server is back a
 * resend's link verifies. A real SMTP server (smtp-server) on a port that first refuses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../src/embedded-db/index.js';
import { startGatehouse, type TestInstance } from '../helpers/gatehouse.js';
import { codeOf, gql } from '../helpers/graphql.js';
import { metric } from '../helpers/metrics.js';
import { type SmtpCatcher, startSmtpCatcher, tokenIn } from '../helpers/smtp.js';
import { strongPassword, uniqueEmail } from '../helpers/users.js';

const REGISTER = 'mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id emailVerified } } }';
const RESEND = 'mutation { requestEmailVerification }';
type Registered = { register: { accessToken: string; user: { id: string; emailVerified: boolean } } };

describe('account e-mail while the mail server is down', () => {
  let port: number;
  let gh: TestInstance;
  let smtp: SmtpCatcher | undefined;

  before(async () => {
    port = await freePort(); // nothing listens there until the test starts the server
    gh = await startGatehouse({
      manifest: {
        slug: 'outage',
        auth: {
          users: { allow_registration: true, require_email_verification: true },
          email: { smtp_url: `smtp://127.0.0.1:${port}`, verify_url: 'https://outage.example.test/v?token={token}' },
          rate_limits: {
            register: { max_attempts: 1000, window_seconds: 60 },
            password_reset: { max_attempts: 1000, window_seconds: 60 },
            password_reset_ip: { max_attempts: 1000, window_seconds: 60 },
          },
        },
      },
    });
  });
  after(async () => {
    await gh?.close();
    await smtp?.close();
  });

  const settled = async () => {
    await gh.gatehouse.services.flows.afterResponse();
    await gh.gatehouse.services.audit.flush();
  };
  const mailCount = (kind: string, outcome: string) =>
    metric(gh.origin, 'gatehouse_mail_total', `app="outage",kind="${kind}",outcome="${outcome}"`);

  it('register answers with its session, a resend is SERVICE_UNAVAILABLE, and once the server is back the resent link verifies', async () => {
    const email = uniqueEmail('outage');
    const reg = await gql<Registered, object>(gh.url, REGISTER, { i: { email, password: strongPassword() } });
    assert.equal(reg.errors, undefined, JSON.stringify(reg.errors));
    const { accessToken, user } = reg.data!.register;
    assert.equal(user.emailVerified, false);
    await settled();
    const sent = () =>
      gh.gatehouse.services.audit.query('outage', { first: 10, userId: user.id, type: 'email_verification_sent' });
    const failed = await sent();
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.outcome, 'failure');
    assert.match(String(failed[0]!.details?.reason), /^E[A-Z]+$/, 'a code (nodemailer: ESOCKET / ECONNECTION)');
    assert.equal(await mailCount('verification', 'failed'), 1);

    const down = await gql(gh.url, RESEND, {}, { token: accessToken });
    assert.equal(codeOf(down), 'SERVICE_UNAVAILABLE', JSON.stringify(down.errors));
    assert.equal(down.data, null);
    const error = JSON.stringify(down.errors);
    assert.doesNotMatch(error, new RegExp(email.replace(/[.]/g, '\\.')), 'the address is not echoed');
    assert.doesNotMatch(error, /ECONNREFUSED|127\.0\.0\.1|at .*\.js/, 'no socket detail, no stack');
    assert.equal(await mailCount('verification', 'failed'), 2);

    // The same outage behind requestPasswordReset: still `true`, counted as a failed reset message.
    const reset = await gql<{ requestPasswordReset: boolean }, object>(
      gh.url,
      'mutation($e: String!) { requestPasswordReset(email: $e) }',
      { e: email },
    );
    assert.equal(reset.data?.requestPasswordReset, true, JSON.stringify(reset.errors));
    await settled();
    assert.equal(await mailCount('reset', 'failed'), 1);

    smtp = await startSmtpCatcher(port);
    const mail = smtp.next(email);
    const back = await gql<{ requestEmailVerification: boolean }, object>(gh.url, RESEND, {}, { token: accessToken });
    assert.equal(back.data?.requestEmailVerification, true, JSON.stringify(back.errors));
    const verified = await gql<{ verifyEmail: boolean }, object>(
      gh.url,
      'mutation($t: String!) { verifyEmail(token: $t) }',
      { t: tokenIn(await mail) },
    );
    assert.equal(verified.data?.verifyEmail, true, JSON.stringify(verified.errors));
    await settled();
    assert.deepEqual(
      (await sent()).map((e) => e.outcome),
      ['success', 'failure', 'failure'],
      'newest first: the resend that went out, the failed resend, the failed first message',
    );
    assert.equal(await mailCount('verification', 'sent'), 1);
  });
});
