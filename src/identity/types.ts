import type { AppConfig } from '../config/index.js';
import type { MfaState } from './user-store.js';

export type UserKind = 'PASSWORD' | 'ANONYMOUS' | 'DEMO';

/** A user as the rest of Gatehouse sees it: never the password hash. Roles live in the authz provider. */
export interface UserRecord {
  id: string;
  app: string;
  email: string | null;
  kind: UserKind;
  deviceId: string | null;
  createdAt: Date;
  lastLoginAt: Date | null;
  emailVerified: boolean;
  mfaEnabled: boolean;
}

/** A refused input, reported to clients as BAD_USER_INPUT with `extensions.field` (and `reasons`). */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly field: string,
    message: string,
    readonly reasons: string[] = [],
  ) {
    super(message);
  }
}

export interface IdentityService {
  /** Ensures indexes; seeds nothing (see seedDemoUsers). */
  start(): Promise<void>;
  /** Creates a password user; InputError for a bad email/password or an email already registered in the app. */
  register(app: AppConfig, input: { email: string; password: string }): Promise<UserRecord>;
  /**
   * Checks a password login in constant-ish time (a dummy verification for unknown emails),
   * rehashing when parameters changed. Null for any failure. InputError for malformed input (before hashing).
   */
  authenticate(app: AppConfig, input: { email: string; password: string }): Promise<UserRecord | null>;
  /**
   * `authenticate` in two steps, for the login flow: checks the input and starts the account
   * lookup now (so it runs alongside the rate-limit writes), verifies the password only when
   * asked (after the attempt is reserved), and leaves recording the login (lastLoginAt, a hash
   * upgrade) to the caller, who need not wait for it. InputError for malformed input.
   */
  prepareLogin(app: AppConfig, input: { email: string; password: string }): PasswordCheck;
  /** The anonymous user of (app, deviceId), created on first use. */
  anonymous(app: AppConfig, deviceId: string): Promise<UserRecord>;
  /** False when `current` is wrong; InputError when `next` breaks the password policy. */
  changePassword(app: AppConfig, userId: string, current: string, next: string): Promise<boolean>;
  findById(app: string, id: string): Promise<UserRecord | null>;
  findByEmail(app: string, email: string): Promise<UserRecord | null>;
  /** Creates the manifest's demo users if missing (idempotent); returns them. */
  seedDemoUsers(app: AppConfig): Promise<UserRecord[]>;
  /** Sets a new password (policy applies: InputError 'newPassword'); false for an account without one. */
  setPassword(app: AppConfig, userId: string, next: string): Promise<boolean>;
  /** Throws InputError('newPassword') when `next` breaks the policy for this address; hashes nothing. */
  checkNewPassword(app: AppConfig, email: string | null, next: string): void;
  /** True when the account still holds `email` (then marked verified). */
  markEmailVerified(app: string, userId: string, email: string): Promise<boolean>;
  mfaState(app: string, userId: string): Promise<MfaState | null>;
  setMfa(app: string, userId: string, state: MfaState): Promise<void>;
  /** Creates a password user without the registration switch (CLI `user create`). */
  createUser(app: AppConfig, input: { email: string; password: string; kind?: UserKind }): Promise<UserRecord>;
}

export interface PasswordCheck {
  /** One argon2 verification (a dummy one for an unknown or password-less account). */
  verify(): Promise<PasswordOutcome>;
}

/** A failure names the account it was for, if it exists (audit only; the client learns nothing). */
export type PasswordOutcome =
  | { ok: true; user: UserRecord; record(): Promise<void> }
  | { ok: false; accountId: string | null };
