import type { AppConfig } from '../config/index.js';
import type { MailMessage } from './mailer.js';

const linkOr = (template: string | undefined, token: string) =>
  template ? template.replaceAll('{token}', encodeURIComponent(token)) : token;

const minutes = (seconds: number) => Math.max(1, Math.round(seconds / 60));

/** The verification message: the link from `auth.email.verify_url`, or the token itself. */
export function verificationMessage(app: AppConfig, to: string, token: string): MailMessage {
  return {
    to,
    subject: `Confirm your e-mail address for ${app.name}`,
    text: [
      `Confirm that ${to} is your address for ${app.name}:`,
      '',
      linkOr(app.email.verifyUrl, token),
      '',
      `This ${app.email.verifyUrl ? 'link' : 'code'} works once and expires in ${minutes(app.email.verifyTtl)} minutes.`,
      'If you did not sign up, ignore this message.',
    ].join('\n'),
  };
}

/** The password-reset message: the link from `auth.email.reset_url`, or the token itself. */
export function resetMessage(app: AppConfig, to: string, token: string): MailMessage {
  return {
    to,
    subject: `Reset your ${app.name} password`,
    text: [
      `Someone asked to reset the password of ${to} for ${app.name}. To choose a new one:`,
      '',
      linkOr(app.email.resetUrl, token),
      '',
      `This ${app.email.resetUrl ? 'link' : 'code'} works once and expires in ${minutes(app.email.resetTtl)} minutes.`,
      'Resetting signs you out everywhere. If it was not you, ignore this message: your password stays as it is.',
    ].join('\n'),
  };
}
