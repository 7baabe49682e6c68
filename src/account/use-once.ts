import { type Collection, type Db, MongoServerError } from 'mongodb';
import { expireDocuments, type SweepOptions } from '../db/index.js';

interface UseDoc {
  _id: string;
  expiresAt: Date;
}

/**
 * "This happened once": a token consumed, a TOTP step used, a recovery code spent. Claimed by
 * inserting a unique `_id` — the one operation FerretDB keeps exact under concurrency (its updates
 * are not atomic), so of N parallel claims exactly one wins.
 */
export class UseOnce {
  private readonly coll: Collection<UseDoc>;
  private stopSweeper: (() => void) | undefined;

  constructor(
    db: Db,
    private readonly sweep: SweepOptions<UseDoc> = {},
  ) {
    this.coll = db.collection<UseDoc>('account_uses');
  }

  async start(): Promise<void> {
    this.stopSweeper?.();
    this.stopSweeper = await expireDocuments(this.coll, 'expiresAt', this.sweep);
  }

  stop(): void {
    this.stopSweeper?.();
    this.stopSweeper = undefined;
  }

  /** True for the first claim of `id`; false for every later one (until it is collected after `expiresAt`). */
  async claim(id: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.coll.insertOne({ _id: id, expiresAt });
      return true;
    } catch (err) {
      if (err instanceof MongoServerError && err.code === 11000) return false;
      throw err;
    }
  }
}
