export {
  createMailer,
  type Mailer,
  type MailMessage,
  mailFailureReason,
  SMTP_TIMEOUTS,
} from './mailer.js';
export type { TokenHolder } from './one-time-tokens.js';
export { type AccountService, createAccountService, type SecondFactor } from './service.js';
