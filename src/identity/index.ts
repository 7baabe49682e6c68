export { checkDeviceId } from './device-id.js';
export { MAX_EMAIL_BYTES, MAX_LOCAL_BYTES, normalizeEmail } from './email.js';
export {
  ARGON2_PARAMS,
  type Argon2Params,
  createPasswordHasher,
  type HasherStats,
  type PasswordHasher,
  type PasswordHasherOptions,
} from './password-hasher.js';
export {
  checkPasswordPolicy,
  PASSWORD_LIMITS,
  type PasswordContext,
  type PasswordReason,
  type PasswordVerdict,
  preparePassword,
} from './password-policy.js';
export { argon2SelfTest } from './self-test.js';
export { BusyError } from './semaphore.js';
export { createIdentityService, type IdentityOptions } from './service.js';
export {
  type IdentityService,
  InputError,
  type PasswordCheck,
  type PasswordOutcome,
  type UserKind,
  type UserRecord,
} from './types.js';
