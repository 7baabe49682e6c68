import { createHash, randomBytes } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { expireDocuments, type SweepOptions } from '../db/index.js';
import type { UseOnce } from './use-once.js';

export type TokenPurpose = 'verify_email' | 'reset_password';

interface TokenDoc {
  /** SHA-256 of the token: the token itself is never stored. */
  _id: string;
  app: string;
  purpose: TokenPurpose;
  userId: string;
  /** The address the message went to: a token for an address the account no longer has is void. */
  email: string;
  createdAt: Date;
  expiresAt: Date;
}

/** A token's holder, once it is found valid. */
export interface TokenHolder {
  userId: string;
  email: string;
  expiresAt: Date;
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');
// 256 random bits, base64url: what is sent is unguessable, so a fast hash is enough at rest.
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Single-use, expiring tokens sent by e-mail (verification, password reset). Stored only as hashes;
 * expiry is checked on read (TTL or a sweeper only collect garbage); use is claimed once.
 */
export class OneTimeTokens {
  private readonly coll: Collection<TokenDoc>;
  private stopSweeper: (() => void) | undefined;

  constructor(
    db: Db,
    private readonly uses: UseOnce,
    private readonly sweep: SweepOptions<TokenDoc> = {},
  ) {
    this.coll = db.collection<TokenDoc>('account_tokens');
  }

  async start(): Promise<void> {
    this.stopSweeper?.();
    this.stopSweeper = await expireDocuments(this.coll, 'expiresAt', this.sweep);
  }

  stop(): void {
    this.stopSweeper?.();
    this.stopSweeper = undefined;
  }

  async issue(app: string, purpose: TokenPurpose, userId: string, email: string, ttlSeconds: number, now: Date) {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    await this.coll.insertOne({ _id: digest(token), app, purpose, userId, email, createdAt: now, expiresAt });
    return { token, expiresAt };
  }

  /** The holder of a valid, unexpired, unused token of this app and purpose; never throws on junk. */
  async peek(app: string, purpose: TokenPurpose, token: string, now: Date): Promise<TokenHolder | null> {
    if (typeof token !== 'string' || !TOKEN.test(token)) return null;
    const doc = await this.coll.findOne({ _id: digest(token) });
    if (!doc || doc.app !== app || doc.purpose !== purpose || doc.expiresAt <= now) return null;
    return { userId: doc.userId, email: doc.email, expiresAt: doc.expiresAt };
  }

  /** peek, then claims the token: of parallel uses, exactly one gets the holder. */
  async consume(app: string, purpose: TokenPurpose, token: string, now: Date): Promise<TokenHolder | null> {
    const holder = await this.peek(app, purpose, token, now);
    if (!holder) return null;
    if (!(await this.uses.claim(`token:${digest(token)}`, holder.expiresAt))) return null;
    return holder;
  }
}
