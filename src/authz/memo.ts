import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { Permission } from './types.js';

/** What a policy revision knows about one user, computed once per (revision, user). */
export interface UserFacts {
  readonly subject: string;
  /** Effective roles: direct ones and those reached through role-to-role grants. */
  readonly roles: readonly string[];
  readonly roleSet: ReadonlySet<string>;
  /** The subject and its roles: whatever is granted to one of these applies. */
  readonly grantees: readonly string[];
}

/**
 * One loaded policy revision as a provider sees it: everything synchronous, built off the request
 * path. `decide` is only called on a memo miss, so it may cost a few microseconds.
 */
export interface Evaluator<F extends UserFacts = UserFacts> {
  factsFor(userId: string): F;
  decide(facts: F, resource: string, action: string): boolean;
  /** What the user may do, as granted (patterns) or as decided (known pairs); not on the hot path. */
  permissions(facts: F): Permission[];
}

export interface MemoLimits {
  /** Recently-seen users whose memos are rebuilt before a new revision is swapped in. */
  users: number;
  /** (resource, action) answers kept per user; the map is cleared when it fills. */
  checksPerUser: number;
  /** Users rebuilt between two yields to the event loop. */
  chunk: number;
}

export const DEFAULT_LIMITS: MemoLimits = { users: 10_000, checksPerUser: 256, chunk: 500 };

/** One user's facts plus their answered checks (resource → action → allowed: no key joining, no collisions). */
class UserMemo<F extends UserFacts> {
  private readonly checks = new Map<string, Map<string, boolean>>();
  private size = 0;

  constructor(
    readonly facts: F,
    private readonly limit: number,
  ) {}

  can(evaluator: Evaluator<F>, resource: string, action: string): boolean {
    const cached = this.checks.get(resource)?.get(action);
    if (cached !== undefined) return cached;
    const allowed = evaluator.decide(this.facts, resource, action);
    if (this.size >= this.limit) {
      this.checks.clear();
      this.size = 0;
    }
    const byAction = this.checks.get(resource);
    if (byAction) byAction.set(action, allowed);
    else this.checks.set(resource, new Map([[action, allowed]]));
    this.size++;
    return allowed;
  }

  /** The pairs this user has been checked for, so a rebuilt memo can answer them at once. */
  *checked(): IterableIterator<[string, string]> {
    for (const [resource, actions] of this.checks) for (const action of actions.keys()) yield [resource, action];
  }
}

/**
 * A loaded revision and the memos of the users seen under it. Lookups cost a map hit; a user first
 * seen under this revision costs one `factsFor` (their own roles and grants, not the whole policy).
 */
export class PolicyView<F extends UserFacts = UserFacts> {
  private readonly users: LRUCache<string, UserMemo<F>>;

  private constructor(
    readonly revision: number,
    private readonly evaluator: Evaluator<F>,
    private readonly limits: MemoLimits,
  ) {
    this.users = new LRUCache({ max: limits.users });
  }

  /**
   * The view of a new revision, with the memos of `previous`'s recently-seen users (and the checks
   * they made) rebuilt in chunks, yielding between them so requests keep flowing on the old view.
   */
  static async build<F extends UserFacts>(
    revision: number,
    evaluator: Evaluator<F>,
    previous: PolicyView<F> | undefined,
    limits: MemoLimits = DEFAULT_LIMITS,
  ): Promise<PolicyView<F>> {
    const view = new PolicyView(revision, evaluator, limits);
    if (!previous) return view;
    let n = 0;
    // Least recent first, so the new cache keeps the old recency order.
    for (const userId of [...previous.users.rkeys()]) {
      const memo = view.memo(userId);
      for (const [resource, action] of previous.users.peek(userId)?.checked() ?? [])
        memo.can(evaluator, resource, action);
      if (++n % limits.chunk === 0) await yieldToEventLoop();
    }
    return view;
  }

  private memo(userId: string): UserMemo<F> {
    let memo = this.users.get(userId);
    if (!memo) {
      memo = new UserMemo(this.evaluator.factsFor(userId), this.limits.checksPerUser);
      this.users.set(userId, memo);
    }
    return memo;
  }

  can(userId: string, resource: string, action: string): boolean {
    return this.memo(userId).can(this.evaluator, resource, action);
  }

  facts(userId: string): F {
    return this.memo(userId).facts;
  }

  permissions(userId: string): Permission[] {
    return this.evaluator.permissions(this.memo(userId).facts);
  }
}
