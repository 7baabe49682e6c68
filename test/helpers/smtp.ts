import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpCatcher {
  url: string;
  messages: ParsedMail[];
  /** The next message to `to` (waits up to `ms`). */
  next(to: string, ms?: number): Promise<ParsedMail>;
  /** Messages to `to` so far. */
  to(address: string): ParsedMail[];
  close(): Promise<void>;
}

const recipients = (m: ParsedMail) =>
  (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address?.toLowerCase()));

/** A real SMTP server on 127.0.0.1 (on `port`, else a free one) that keeps every message it receives, parsed. */
export async function startSmtpCatcher(port = 0): Promise<SmtpCatcher> {
  const messages: ParsedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream)
        .then((m) => {
          messages.push(m);
          for (const w of waiters.splice(0)) w();
          done();
        })
        .catch(done);
    },
  });
  await new Promise<void>((resolve, reject) => {
    // A listen failure (port taken) rejects; a client's broken connection later is not the test's concern.
    server.on('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.server.address() as AddressInfo).port;
  const to = (address: string) => messages.filter((m) => recipients(m).includes(address.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${bound}`,
    messages,
    to,
    async next(address, ms = 5000) {
      const seen = to(address).length;
      const deadline = Date.now() + ms;
      while (to(address).length <= seen) {
        if (Date.now() > deadline) throw new Error(`no message to ${address} within ${ms} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return to(address)[seen]!;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The token a message's link (or bare code) carries: `token=…` in a URL, else the 43-character token. */
export function tokenIn(mail: ParsedMail): string {
  const text = mail.text ?? '';
  const fromLink = /[?&]token=([A-Za-z0-9_%-]+)/.exec(text)?.[1];
  const token = fromLink ? decodeURIComponent(fromLink) : /\b[A-Za-z0-9_-]{43}\b/.exec(text)?.[0];
  if (!token) throw new Error(`no token in: ${text}`);
  return token;
}
