import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { expireDocuments, type SweepOptions } from '../db/index.js';
import type { Rule } from './rbac.js';
import type { TypedRule } from './store.js';

interface ChangeDoc {
  _id: string;
  app: string;
  /** The revision stamp written with this change (PolicyRevision.bump). */
  stamp: string;
  /** The rules whose rows changed, each `JSON.stringify([ptype, ...values])` (FerretDB has no nested arrays). */
  rules: string[];
  /** The writer's clock. */
  at: Date;
  expiresAt: Date;
}

/** A change as read back: which rules to look up again, and under which stamp it was written. */
export interface PolicyChange {
  stamp: string;
  rules: TypedRule[];
  at: number;
}

/** Entries are kept this long: a poller further behind than that reloads everything instead. */
export const JOURNAL_RETENTION_MS = 60 * 60_000;
/** Bounded so that a stalled database fails the poll instead of hanging it. */
const READ_TIMEOUT_MS = 2000;

/**
 * An insert-only log of which rules each policy write touched (`policy_changes`), so a poller
 * looks up only those rules again instead of re-reading the whole policy. It names rules, not
 * what happened to them: the reader asks the policy rows for their state now, so entries applied
 * out of order, twice, or next to a concurrent write still converge on what is stored.
 */
export class PolicyJournal {
  private readonly coll: Collection<ChangeDoc>;
  private stopSweeper: (() => void) | undefined;

  constructor(
    db: Db,
    private readonly app: string,
    private readonly sweep: SweepOptions<ChangeDoc> = {},
  ) {
    this.coll = db.collection<ChangeDoc>('policy_changes');
  }

  async start(): Promise<void> {
    await this.coll.createIndex({ app: 1, at: 1 }, { name: 'app_1_at_1' });
    this.stopSweeper?.();
    this.stopSweeper = await expireDocuments(this.coll, 'expiresAt', this.sweep);
  }

  stop(): void {
    this.stopSweeper?.();
    this.stopSweeper = undefined;
  }

  /** A fresh stamp for the write about to be journaled. */
  static stamp(): string {
    return randomUUID();
  }

  async record(stamp: string, at: Date, ptype: string, rules: readonly Rule[]): Promise<void> {
    await this.coll.insertOne({
      _id: randomUUID(),
      app: this.app,
      stamp,
      rules: rules.map((r) => JSON.stringify([ptype, ...r])),
      at,
      expiresAt: new Date(at.getTime() + JOURNAL_RETENTION_MS),
    });
  }

  /** The changes written at or after `sinceMs` (writer's clock), oldest first. */
  async since(sinceMs: number): Promise<PolicyChange[]> {
    const docs = await this.coll
      .find({ app: this.app, at: { $gte: new Date(sinceMs) } }, { timeoutMS: READ_TIMEOUT_MS })
      .sort({ at: 1 })
      .toArray();
    return docs.map((d) => ({
      stamp: d.stamp,
      at: d.at.getTime(),
      rules: d.rules.map((s) => {
        const [ptype, ...values] = JSON.parse(s) as string[];
        return [ptype!, values] as const;
      }),
    }));
  }
}
