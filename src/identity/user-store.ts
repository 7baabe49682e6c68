import { randomUUID } from 'node:crypto';
import { type Collection, type Db, MongoServerError } from 'mongodb';
import type { Sealed } from '../tokens/index.js';
import { InputError, type UserKind, type UserRecord } from './types.js';

/**
 * One document per user. `emailKey` is always present (`email:<normalized>` or `device:<id>`), so
 * a single unique index (app, emailKey) guards both password and anonymous users: FerretDB has no
 * partial or sparse indexes, so no optional field is ever unique-indexed.
 */
export interface UserDoc {
  _id: string;
  app: string;
  email: string | null;
  emailKey: string;
  /** argon2id PHC string; null for anonymous users. */
  passwordHash: string | null;
  kind: UserKind;
  deviceId: string | null;
  createdAt: Date;
  lastLoginAt: Date | null;
  /** Absent on accounts made before verification existed: false, except demo users (the manifest's). */
  emailVerified?: boolean;
  /** TOTP in force: the sealed secret and the HMACs of the unused recovery codes. */
  mfa?: { secret: Sealed; enabledAt: Date; recoveryCodes: string[] } | null;
  /** An enrolment begun (enrollTotp) and not yet confirmed. */
  mfaPending?: { secret: Sealed; createdAt: Date } | null;
}

/** The second factor of an account, as the account service reads it. */
export type MfaState = Pick<UserDoc, 'mfa' | 'mfaPending'>;

export const emailKey = (normalizedEmail: string) => `email:${normalizedEmail}`;
export const deviceKey = (deviceId: string) => `device:${deviceId}`;

const isDuplicateKey = (err: unknown) => err instanceof MongoServerError && err.code === 11000;

// `?? null`: FerretDB v1 drops null values from `$setOnInsert`, so an upserted document may lack them.
export const toUserRecord = (d: UserDoc): UserRecord => ({
  id: d._id,
  app: d.app,
  email: d.email ?? null,
  kind: d.kind,
  deviceId: d.deviceId ?? null,
  createdAt: d.createdAt,
  lastLoginAt: d.lastLoginAt ?? null,
  emailVerified: d.emailVerified ?? d.kind === 'DEMO',
  mfaEnabled: Boolean(d.mfa),
});

export type NewPasswordUser = Pick<UserDoc, 'app' | 'email' | 'passwordHash' | 'kind' | 'createdAt'> & {
  email: string;
  emailVerified: boolean;
};

/** The `users` collection: every write is a single-document atomic operation. */
export class UserStore {
  readonly users: Collection<UserDoc>;
  constructor(db: Db) {
    this.users = db.collection<UserDoc>('users');
  }

  async ensureIndexes(): Promise<void> {
    await this.users.createIndex({ app: 1, emailKey: 1 }, { unique: true, name: 'app_emailKey_unique' });
  }

  byId(app: string, id: string): Promise<UserDoc | null> {
    return this.users.findOne({ _id: String(id), app });
  }

  byEmail(app: string, normalizedEmail: string): Promise<UserDoc | null> {
    return this.users.findOne({ app, emailKey: emailKey(normalizedEmail) });
  }

  /** Inserts a password user; the unique index decides races. InputError('email') for a taken address. */
  async insertPasswordUser(user: NewPasswordUser): Promise<UserDoc> {
    const doc: UserDoc = {
      _id: randomUUID(),
      ...user,
      emailKey: emailKey(user.email),
      deviceId: null,
      lastLoginAt: null,
    };
    try {
      await this.users.insertOne(doc);
      return doc;
    } catch (err) {
      // The driver's E11000 text names the index and the key: never let it reach a client.
      if (isDuplicateKey(err)) throw new InputError('email', 'Email already registered');
      throw err;
    }
  }

  /** The anonymous user of (app, deviceId), created on first use; race-safe upsert. */
  async upsertAnonymous(app: string, deviceId: string, now: Date): Promise<UserDoc> {
    const upsert = () =>
      this.users.findOneAndUpdate(
        { app, emailKey: deviceKey(deviceId) },
        {
          $setOnInsert: {
            _id: randomUUID(),
            email: null,
            passwordHash: null,
            kind: 'ANONYMOUS',
            deviceId,
            createdAt: now,
          },
          $set: { lastLoginAt: now },
        },
        { upsert: true, returnDocument: 'after' },
      );
    let doc: UserDoc | null;
    try {
      doc = await upsert();
    } catch (err) {
      // Two first uses at once: both miss, one insert wins, the loser's retry finds the winner.
      if (!isDuplicateKey(err)) throw err;
      doc = await upsert();
    }
    if (!doc) throw new Error('anonymous user upsert returned nothing');
    return doc;
  }

  async recordLogin(id: string, now: Date, rehash?: { from: string; to: string }): Promise<void> {
    // A rehash only replaces the hash it verified: a concurrent password change wins.
    if (rehash) {
      const r = await this.users.updateOne(
        { _id: id, passwordHash: rehash.from },
        { $set: { passwordHash: rehash.to, lastLoginAt: now } },
      );
      if (r.matchedCount) return;
    }
    await this.users.updateOne({ _id: id }, { $set: { lastLoginAt: now } });
  }

  /** Sets a new hash whatever the old one (password reset, which proved the mailbox instead). */
  async setHash(app: string, id: string, to: string): Promise<boolean> {
    const r = await this.users.updateOne({ _id: id, app }, { $set: { passwordHash: to } });
    return r.matchedCount === 1;
  }

  /** Marks the address verified, only if the account still has the address the token was sent to. */
  async markEmailVerified(app: string, id: string, email: string): Promise<boolean> {
    const r = await this.users.updateOne({ _id: id, app, email }, { $set: { emailVerified: true } });
    return r.matchedCount === 1;
  }

  async mfaState(app: string, id: string): Promise<MfaState | null> {
    return this.users.findOne({ _id: id, app }, { projection: { mfa: 1, mfaPending: 1 } });
  }

  async setMfa(app: string, id: string, state: MfaState): Promise<void> {
    await this.users.updateOne(
      { _id: id, app },
      { $set: { mfa: state.mfa ?? null, mfaPending: state.mfaPending ?? null } },
    );
  }

  /** Replaces `from` by `to`; false when the hash changed meanwhile. */
  async replaceHash(app: string, id: string, from: string, to: string): Promise<boolean> {
    const r = await this.users.updateOne({ _id: id, app, passwordHash: from }, { $set: { passwordHash: to } });
    return r.matchedCount === 1;
  }
}
