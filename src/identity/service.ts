import type { AppConfig } from '../config/index.js';
import type { CoreDeps } from '../core/index.js';
import { checkDeviceId } from './device-id.js';
import { normalizeEmail } from './email.js';
import { createPasswordHasher, type PasswordHasher, type PasswordHasherOptions } from './password-hasher.js';
import { checkPasswordPolicy, type PasswordVerdict, preparePassword } from './password-policy.js';
import { type IdentityService, InputError, type UserKind, type UserRecord } from './types.js';
import { toUserRecord, UserStore } from './user-store.js';

export interface IdentityOptions {
  /** A hasher of your own (tests: cheaper parameters, call counting). */
  hasher?: PasswordHasher;
  /** Options for the default hasher (concurrency cap, queue bounds). */
  hashing?: PasswordHasherOptions;
}

const appWords = (app: AppConfig) => [app.slug, app.name];

function accepted(verdict: PasswordVerdict, field: string): string {
  if (!verdict.ok) throw new InputError(field, verdict.message, verdict.reasons);
  return verdict.password;
}

export function createIdentityService(deps: CoreDeps, options: IdentityOptions = {}): IdentityService {
  const store = new UserStore(deps.database.db);
  const hasher = options.hasher ?? createPasswordHasher(options.hashing);
  const now = () => deps.clock.now();

  async function createPasswordUser(
    app: AppConfig,
    email: string,
    password: string,
    kind: UserKind,
    emailVerified: boolean,
  ) {
    const normalized = normalizeEmail(email);
    const clear = accepted(checkPasswordPolicy(password, { email: normalized, words: appWords(app) }), 'password');
    const passwordHash = await hasher.hash(clear);
    const doc = await store.insertPasswordUser({
      app: app.slug,
      email: normalized,
      passwordHash,
      kind,
      createdAt: now(),
      emailVerified,
    });
    return toUserRecord(doc);
  }

  /** Demo users come from the manifest: a weak password is accepted with a warning, never refused. */
  async function seedOne(app: AppConfig, demo: { email: string; password: string }): Promise<UserRecord> {
    const email = normalizeEmail(demo.email);
    const existing = await store.byEmail(app.slug, email);
    if (existing) return toUserRecord(existing);
    const policy = checkPasswordPolicy(demo.password, { email, words: appWords(app) });
    if (!policy.ok) {
      deps.logger.warn(
        { app: app.slug, email, reasons: policy.reasons },
        'demo user has a weak password (from the manifest)',
      );
    }
    const clear = accepted(policy.ok ? policy : preparePassword(demo.password), 'password');
    const passwordHash = await hasher.hash(clear);
    try {
      const doc = await store.insertPasswordUser({
        app: app.slug,
        email,
        passwordHash,
        kind: 'DEMO',
        createdAt: now(),
        emailVerified: true, // the manifest's own address
      });
      return toUserRecord(doc);
    } catch (err) {
      // Another instance seeded it at the same moment: theirs is as good as ours.
      const winner = err instanceof InputError ? await store.byEmail(app.slug, email) : null;
      if (winner) return toUserRecord(winner);
      throw err;
    }
  }

  const service: IdentityService = {
    async start() {
      await store.ensureIndexes();
      await hasher.verifyDummy('warm-up'); // computes the dummy hash now, not during the first login
    },

    register: (app, input) => createPasswordUser(app, input.email, input.password, 'PASSWORD', false),

    async createUser(app, input) {
      const kind = input.kind ?? 'PASSWORD';
      if (kind === 'ANONYMOUS') throw new InputError('kind', 'Anonymous users are created from a device id');
      // An account the operator makes (`user create`) has an address the operator vouches for.
      return createPasswordUser(app, input.email, input.password, kind, true);
    },

    async authenticate(app, input) {
      const outcome = await service.prepareLogin(app, input).verify();
      if (!outcome.ok) return null;
      await outcome.record();
      return outcome.user;
    },

    prepareLogin(app, input) {
      const email = normalizeEmail(input.email);
      // Oversize input is refused before the lookup and before argon2 (and says nothing about the account).
      const password = accepted(preparePassword(input.password), 'password');
      const found = store.byEmail(app.slug, email);
      found.catch(() => {}); // awaited in verify(); a caller refused by the rate limit never asks
      return {
        async verify() {
          const user = await found;
          // Unknown email and password-less accounts cost one argon2 verification too: equal timing.
          if (!user?.passwordHash) {
            await hasher.verifyDummy(password);
            return { ok: false, accountId: user?._id ?? null };
          }
          if (!(await hasher.verify(user.passwordHash, password))) return { ok: false, accountId: user._id };
          const at = now();
          const verified = user.passwordHash;
          return {
            ok: true,
            user: toUserRecord({ ...user, lastLoginAt: at }),
            // A hash upgrade only after a verified password, and only of the hash verified.
            record: async () => {
              const rehash = hasher.needsRehash(verified)
                ? { from: verified, to: await hasher.hash(password) }
                : undefined;
              await store.recordLogin(user._id, at, rehash);
            },
          };
        },
      };
    },

    async anonymous(app, deviceId) {
      return toUserRecord(await store.upsertAnonymous(app.slug, checkDeviceId(deviceId), now()));
    },

    async changePassword(app, userId, current, next) {
      const user = await store.byId(app.slug, userId);
      const context = { email: user?.email ?? null, words: appWords(app) };
      const clearNext = accepted(checkPasswordPolicy(next, context), 'newPassword');
      const clearCurrent = preparePassword(current);
      if (!clearCurrent.ok) return false; // cannot be the current password; argon2 never sees it
      if (!user?.passwordHash) return hasher.verifyDummy(clearCurrent.password);
      if (!(await hasher.verify(user.passwordHash, clearCurrent.password))) return false;
      return store.replaceHash(app.slug, user._id, user.passwordHash, await hasher.hash(clearNext));
    },

    async setPassword(app, userId, next) {
      const user = await store.byId(app.slug, userId);
      if (!user?.passwordHash) return false;
      const clear = accepted(checkPasswordPolicy(next, { email: user.email, words: appWords(app) }), 'newPassword');
      return store.setHash(app.slug, userId, await hasher.hash(clear));
    },

    checkNewPassword(app, email, next) {
      accepted(checkPasswordPolicy(next, { email, words: appWords(app) }), 'newPassword');
    },

    markEmailVerified: (app, userId, email) => store.markEmailVerified(app, userId, email),
    mfaState: (app, userId) => store.mfaState(app, userId),
    setMfa: (app, userId, state) => store.setMfa(app, userId, state),

    async findById(app, id) {
      const doc = await store.byId(app, id);
      return doc ? toUserRecord(doc) : null;
    },

    async findByEmail(app, email) {
      let normalized: string;
      try {
        normalized = normalizeEmail(email);
      } catch {
        return null; // a malformed address names no account
      }
      const doc = await store.byEmail(app, normalized);
      return doc ? toUserRecord(doc) : null;
    },

    async seedDemoUsers(app) {
      const seeded: UserRecord[] = [];
      for (const demo of app.users.demoUsers) seeded.push(await seedOne(app, demo));
      return seeded;
    },
  };
  return service;
}
