import { type Collection, type Db, MongoServerError } from 'mongodb';

interface RevisionDocument {
  _id: string;
  revision: number;
}

/** Bounded so that a stalled database fails the poll instead of hanging it. */
const READ_TIMEOUT_MS = 2000;

/**
 * One app's policy revision in `meta` (`{_id: 'policy:<app>', revision}`): every write bumps it,
 * every instance polls it and reloads when it moves.
 */
export class PolicyRevision {
  private readonly meta: Collection<RevisionDocument>;
  private readonly id: string;

  constructor(db: Db, app: string) {
    this.meta = db.collection<RevisionDocument>('meta');
    this.id = `policy:${app}`;
  }

  /** The stored revision (0 before the first write). */
  async read(): Promise<number> {
    const doc = await this.meta.findOne({ _id: this.id }, { timeoutMS: READ_TIMEOUT_MS });
    return doc?.revision ?? 0;
  }

  async bump(): Promise<void> {
    const inc = () => this.meta.updateOne({ _id: this.id }, { $inc: { revision: 1 } }, { upsert: true });
    try {
      await inc();
    } catch (err) {
      // Two first-ever upserts may race on the same _id; the loser's retry finds the document.
      if (!(err instanceof MongoServerError && err.code === 11000)) throw err;
      await inc();
    }
  }
}
