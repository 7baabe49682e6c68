import type { AppConfig } from '../config/index.js';
import type { MailMessage } from './mailer.js';

const minutes = (seconds: number) => Math.max(1, Math.round(seconds / 60));

/** A message carrying one token: as the link `template` makes of it, or the token itself without one. */
function tokenMessage(
  to: string,
  subject: string,
  intro: string,
  token: string,
  template: string | undefined,
  ttlSeconds: number,
  closing: string,
): MailMessage {
  const carried = template ? template.replaceAll('{token}', encodeURIComponent(token)) : token;
  return {
    to,
    subject,
    text: [
      intro,
      '',
      carried,
      '',
      `This ${template ? 'link' : 'code'} works once and expires in ${minutes(ttlSeconds)} minutes.`,
      closing,
    ].join('\n'),
  };
}

/** The verification message: the link from `auth.email.verify_url`, or the token itself. */
export const verificationMessage = (app: AppConfig, to: string, token: string): MailMessage =>
  tokenMessage(
    to,
    `Confirm your e-mail address for ${app.name}`,
    `Confirm that ${to} is your address for ${app.name}:`,
    token,
    app.email.verifyUrl,
    app.email.verifyTtl,
    'If you did not sign up, ignore this message.',
  );

/** The password-reset message: the link from `auth.email.reset_url`, or the token itself. */
export const resetMessage = (app: AppConfig, to: string, token: string): MailMessage =>
  tokenMessage(
    to,
    `Reset your ${app.name} password`,
    `Someone asked to reset the password of ${to} for ${app.name}. To choose a new one:`,
    token,
    app.email.resetUrl,
    app.email.resetTtl,
    'Resetting signs you out everywhere. If it was not you, ignore this message: your password stays as it is.',
  );
