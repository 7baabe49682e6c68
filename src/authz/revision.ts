import { randomUUID } from 'node:crypto';
import { type Collection, type Db, MongoServerError } from 'mongodb';

interface RevisionDocument {
  _id: string;
  revision: number;
  /** A fresh random value per write. */
  stamp?: string;
}

/** What an instance compares to decide whether to reload. */
export interface RevisionMark {
  revision: number;
  stamp: string | undefined;
}

export const sameMark = (a: RevisionMark, b: RevisionMark) => a.revision === b.revision && a.stamp === b.stamp;

/** Bounded so that a stalled database fails the poll instead of hanging it. */
const READ_TIMEOUT_MS = 2000;

/**
 * One app's policy revision in `meta` (`{_id: 'policy:<app>', revision, stamp}`): every write bumps
 * it, every instance polls it and reloads when it moved. The stamp is there because FerretDB v1
 * does not apply concurrent `$inc`s atomically (increments get lost, so the counter can step back
 * and return to a value an instance already loaded); a stamp is written once, by one write, so a
 * mark seen before can never come back.
 */
export class PolicyRevision {
  private readonly meta: Collection<RevisionDocument>;
  private readonly id: string;

  constructor(db: Db, app: string) {
    this.meta = db.collection<RevisionDocument>('meta');
    this.id = `policy:${app}`;
  }

  /** The stored mark (revision 0 before the first write). */
  async read(): Promise<RevisionMark> {
    const doc = await this.meta.findOne({ _id: this.id }, { timeoutMS: READ_TIMEOUT_MS });
    return { revision: doc?.revision ?? 0, stamp: doc?.stamp };
  }

  /** Moves the mark; `stamp` ties it to the journal entry of the write (PolicyJournal). */
  async bump(stamp: string = randomUUID()): Promise<void> {
    const inc = () =>
      this.meta.updateOne({ _id: this.id }, { $inc: { revision: 1 }, $set: { stamp } }, { upsert: true });
    try {
      await inc();
    } catch (err) {
      // Two first-ever upserts may race on the same _id; the loser's retry finds the document.
      if (!(err instanceof MongoServerError && err.code === 11000)) throw err;
      await inc();
    }
  }
}
