export {
  createMailer,
  MailError,
  type Mailer,
  type MailMessage,
  SMTP_TIMEOUTS,
} from './mailer.js';
export type { TokenHolder } from './one-time-tokens.js';
export { type AccountService, createAccountService, type SecondFactor } from './service.js';
