import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../observability/index.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * SMTP waits, ms. nodemailer's own defaults (2 min to connect, 10 min of silence) would hold a
 * request that waits for a message (requestEmailVerification) long past any client's patience.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
export type SmtpTimeouts = typeof SMTP_TIMEOUTS;

/**
 * A message that did not go out. `reason` is nodemailer's error code (ECONNECTION, ETIMEDOUT,
 * EENVELOPE, EAUTH…) or the file system's, for logs, audit details and metrics; never the error's
 * text, which quotes the address when a server refuses it (that stays on `cause`).
 */
export class MailError extends Error {
  override name = 'MailError';
  readonly reason: string;
  constructor(cause: unknown) {
    const code = (cause as { code?: unknown } | null)?.code;
    const reason = typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,31}$/.test(code) ? code : 'UNKNOWN';
    super(`e-mail not sent (${reason})`, { cause });
    this.reason = reason;
  }
}

export interface Mailer {
  /** Rejects with a MailError only. */
  send(app: AppConfig, message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * Outgoing mail through nodemailer: SMTP for an app with `auth.email.smtp_url`, else the message
 * is rendered by nodemailer all the same and written to `outboxDir` as an .eml file (development),
 * which one log line names when it is first used.
 */
export function createMailer(opts: { outboxDir: string; logger: Logger; smtpTimeouts?: SmtpTimeouts }): Mailer {
  const timeouts = opts.smtpTimeouts ?? SMTP_TIMEOUTS;
  const smtp = new Map<string, Transporter>();
  const render = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let announced = false;

  const transportFor = (url: string) => {
    let t = smtp.get(url);
    if (!t) {
      t = nodemailer.createTransport({ url, ...timeouts });
      smtp.set(url, t);
    }
    return t;
  };

  const toOutbox = async (mail: MailMessage & { from: string }) => {
    const rendered = await render.sendMail(mail);
    await mkdir(opts.outboxDir, { recursive: true });
    const file = join(opts.outboxDir, `${Date.now()}-${randomBytes(4).toString('hex')}.eml`);
    await writeFile(file, rendered.message as Buffer, { mode: 0o600 });
    if (!announced) {
      announced = true;
      opts.logger.info({ outbox: opts.outboxDir }, 'no SMTP server configured: e-mail goes to the local outbox');
    }
  };

  return {
    async send(app, message) {
      const mail = { from: app.email.from, ...message };
      try {
        if (app.email.smtpUrl) await transportFor(app.email.smtpUrl).sendMail(mail);
        else await toOutbox(mail);
      } catch (err) {
        throw new MailError(err);
      }
    },
    close() {
      for (const t of smtp.values()) t.close();
      smtp.clear();
    },
  };
}
