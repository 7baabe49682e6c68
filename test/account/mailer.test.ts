/**
 * The mailer against real SMTP peers on 127.0.0.1: one that never greets (the waits are bounded),
 * a closed port, one that refuses the recipient, one that takes the message. What a failure
 * reports is its code only: the refusal's own text quotes the address.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { createMailer, MailError, SMTP_TIMEOUTS } from '../../src/account/index.js';
import { freePort } from '../../src/embedded-db/index.js';
import { createLogger } from '../../src/observability/index.js';
import { manifestFrom, testManifest } from '../helpers/manifest.js';
import { startSmtpCatcher } from '../helpers/smtp.js';

const appAt = (smtpUrl: string) => manifestFrom(testManifest({ email: { smtp_url: smtpUrl } })).apps[0]!;
const message = { to: 'someone@example.test', subject: 'hello', text: 'a message' };
const fast = { connectionTimeout: 300, greetingTimeout: 300, socketTimeout: 600 };
const mailer = createMailer({
  outboxDir: '/nonexistent',
  logger: createLogger({ level: 'silent' }),
  smtpTimeouts: fast,
});

const listen = (server: Server | SMTPServer) =>
  new Promise<number>((resolve, reject) => {
    server.on('error', reject);
    const s = server instanceof SMTPServer ? server.server : server;
    server.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
  });

/** The MailError `p` rejects with, and how long it took. */
async function failure(p: Promise<unknown>): Promise<{ err: MailError; ms: number }> {
  const t0 = performance.now();
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof MailError, String(err));
    return { err, ms: performance.now() - t0 };
  }
  assert.fail('expected the send to fail');
}

describe('mailer', () => {
  after(() => mailer.close());

  it('bounds every wait: a server that accepts the connection and never greets fails within the greeting timeout', async () => {
    assert.ok(SMTP_TIMEOUTS.connectionTimeout <= 10_000 && SMTP_TIMEOUTS.greetingTimeout <= 10_000, 'the defaults');
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s)); // reads nothing, writes nothing
    const port = await listen(silent);
    try {
      const { err, ms } = await failure(mailer.send(appAt(`smtp://127.0.0.1:${port}`), message));
      assert.equal(err.reason, 'ETIMEDOUT', String(err.cause));
      assert.ok(ms >= 250 && ms < 3000, `failed after ${ms.toFixed(0)} ms (greeting timeout 300 ms)`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('a closed port fails at once, with a code', async () => {
    const { err, ms } = await failure(mailer.send(appAt(`smtp://127.0.0.1:${await freePort()}`), message));
    assert.match(err.reason, /^E[A-Z]+$/, String(err.cause));
    assert.ok(ms < 3000, `${ms.toFixed(0)} ms`);
  });

  it('a refused recipient is EENVELOPE; the reason does not carry the text that quotes the address', async () => {
    const refusing = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, done) {
        done(Object.assign(new Error(`<${address.address}>: Recipient address rejected`), { responseCode: 550 }));
      },
    });
    const port = await listen(refusing);
    try {
      const { err } = await failure(mailer.send(appAt(`smtp://127.0.0.1:${port}`), message));
      assert.match(String((err.cause as Error).message), /someone@example\.test/, 'the server quoted it');
      assert.equal(err.reason, 'EENVELOPE');
      assert.doesNotMatch(err.message, /someone/);
    } finally {
      await new Promise((r) => refusing.close(() => r(undefined)));
    }
  });

  it('a server that takes the message gets it, from the app, to the address', async () => {
    const smtp = await startSmtpCatcher();
    try {
      const got = smtp.next(message.to);
      await mailer.send(appAt(smtp.url), message);
      const mail = await got;
      assert.equal(mail.subject, 'hello');
      assert.match(mail.text ?? '', /a message/);
    } finally {
      await smtp.close();
    }
  });

  it('a MailError reason is a short upper-case code or UNKNOWN, whatever was thrown', () => {
    assert.equal(new MailError(Object.assign(new Error('x'), { code: 'ECONNECTION' })).reason, 'ECONNECTION');
    for (const odd of [
      null,
      undefined,
      'text',
      42,
      new Error('no code'),
      { code: 'lower' },
      { code: `E${'X'.repeat(40)}` },
    ])
      assert.equal(new MailError(odd).reason, 'UNKNOWN');
  });
});
