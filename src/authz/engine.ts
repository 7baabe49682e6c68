import { type CoreDeps, createPoller } from '../core/index.js';
import { actionInput, resourceInput, roleInput, userIdInput } from './input.js';
import { PolicyJournal } from './journal.js';
import { DEFAULT_LIMITS, type Evaluator, type MemoLimits, PolicyView } from './memo.js';
import { type Rule, subjectOf } from './rbac.js';
import { PolicyRevision, type RevisionMark, sameMark } from './revision.js';
import { appQuery } from './rows.js';
import { RuleSet } from './rule-set.js';
import { PolicyStore, type TypedRule } from './store.js';
import type { AuthorizationProvider, AuthzAppConfig, Permission } from './types.js';

/** The provider interface plus role-to-role grants (the hierarchy the interface leaves out). */
export interface Authorization extends AuthorizationProvider {
  /** `role` gets everything `inherits` is granted (row `g, <role>, <inherits>, <app>`). */
  addRoleInheritance(app: string, role: string, inherits: string): Promise<boolean>;
  removeRoleInheritance(app: string, role: string, inherits: string): Promise<boolean>;
}

/** What differs between providers: how a revision's rows become a synchronous evaluator. */
export interface EngineSpec {
  name: Authorization['name'];
  deps: CoreDeps;
  app: AuthzAppConfig;
  pollMs: number;
  limits?: MemoLimits;
  /** Once, at start (reads and checks the model or policy file). */
  prepare(): Promise<void>;
  /** The rule types the model reads (after prepare): `p*` rows carry the app in v1, `g*` in v2. */
  types(): { policy: readonly string[]; grouping: readonly string[] };
  /** Builds an evaluator from the app's rules (a snapshot); runs off the request path. */
  build(rules: readonly TypedRule[]): Promise<Evaluator>;
  /** True when something besides the revision calls for a rebuild. */
  outdated?(): boolean;
}

/** How long a request may wait for catchUp before it is answered from the loaded policy. */
export const CATCH_UP_MS = 1500;
/** Journal entries are re-read this far back: writers' clock skew and writes still in flight. */
const JOURNAL_OVERLAP_MS = 5000;
/**
 * The whole policy is re-read at least this often, whatever the journal says: it heals a change
 * no journal entry names (a row edited by another tool, a writer too far behind on its clock).
 */
const FULL_RELOAD_MS = 5 * 60_000;

/** Runs `task` once; later calls share its result (a failure is retried by the next call). */
function once(task: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= task().catch((err: unknown) => {
      done = undefined;
      throw err;
    });
    return done;
  };
}

/** Runs `task` one at a time; a call made while it runs gets the next run (which starts after it). */
function singleFlight(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const run = (): Promise<void> => {
    if (!running) {
      running = task().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running
      .catch(() => {})
      .then(() => {
        queued = undefined;
        return run();
      });
    return queued;
  };
  return run;
}

/**
 * The machinery both providers share: storage writes that are journaled and bump the revision, the
 * revision poller, incremental reloads (only the rules a journaled change names are read again),
 * the double-buffered view (a fresh evaluator and rebuilt memos are swapped in whole, never
 * mutated in place) and the synchronous, fail-closed checks.
 */
export function createEngine(spec: EngineSpec): Authorization {
  const { deps, app } = spec;
  const slug = app.slug;
  const store = PolicyStore.open(deps.database.db, app.policy.policiesCollection);
  const revision = new PolicyRevision(deps.database.db, slug);
  const journal = new PolicyJournal(deps.database.db, slug, { intervalMs: deps.sweepMs, now: () => deps.clock.now() });
  const log = deps.logger.child({ component: 'authz', provider: spec.name, app: slug });
  let view: PolicyView | undefined;
  let loaded: RevisionMark | undefined;
  let running = false;
  // Clock time at which the last successful read of the stored revision began: every write made
  // before it is in the loaded view (or being loaded).
  let confirmedAt = 0;
  let rules: RuleSet | undefined;
  let fullAt = Number.NEGATIVE_INFINITY; // clock ms at which the last full read began
  let journalFrom = 0; // clock ms: changes journaled before this (minus the overlap) are in `rules`

  /**
   * The rules as of `mark`: the loaded ones refreshed by the journal when it explains the move
   * (the newest stamp is journaled), else everything read again. Only rules a change names are
   * looked up, and their state is read from the rows, so replays and reordering do no harm.
   */
  const sync = async (mark: RevisionMark, started: number): Promise<RuleSet> => {
    if (rules && loaded && started - fullAt < FULL_RELOAD_MS) {
      if (sameMark(mark, loaded)) return rules;
      const changes = await journal.since(journalFrom - JOURNAL_OVERLAP_MS);
      if (changes.some((c) => c.stamp === mark.stamp)) {
        await rules.refresh(
          store,
          changes.flatMap((c) => c.rules),
        );
        journalFrom = started;
        return rules;
      }
    }
    const { policy, grouping } = spec.types();
    const all = await RuleSet.load(store, appQuery(slug, policy, grouping));
    fullAt = started;
    journalFrom = started;
    return all;
  };

  const prepare = once(() => spec.prepare());
  const rebuild = singleFlight(async () => {
    await prepare();
    // The mark is read before the rows: the rows are then at least that new, and any later write
    // changes the mark again, so the next poll catches it.
    const started = deps.clock.ms();
    const mark = await revision.read();
    rules = await sync(mark, started);
    const evaluator = await spec.build(rules.values());
    view = await PolicyView.build(mark.revision, evaluator, view, spec.limits ?? DEFAULT_LIMITS);
    loaded = mark;
    confirmedAt = Math.max(confirmedAt, started);
    deps.metrics.policyRevision(mark.revision);
  });

  let failing = false; // the background poll's streak only: a failed catch-up is its caller's business
  /** Polls the stored revision and rebuilds when it moved; catchUp asks for a check of its own. */
  const poller = createPoller({
    intervalMs: spec.pollMs,
    async run(trigger) {
      const started = deps.clock.ms();
      const mark = await revision.read();
      if (!loaded || !sameMark(mark, loaded) || spec.outdated?.()) await rebuild();
      confirmedAt = Math.max(confirmedAt, started);
      if (trigger === 'timer' && failing) log.info('policy reload recovered');
      if (trigger === 'timer') failing = false;
    },
    onError(err, _first, trigger) {
      if (trigger !== 'timer') return; // a catch-up settles for the loaded policy, as the poller would
      // Keep the last loaded policy: checks go on answering from memory.
      if (!failing) log.warn({ reason: (err as Error).message }, 'policy reload failed; keeping the loaded policy');
      failing = true;
      deps.metrics.databaseError();
    },
  });
  /** A check that begins after the call (one in flight may have read before the caller's cut-off). */
  const check = () => poller.next();

  const own = (a: string) => {
    if (a !== slug) throw new Error(`the authorization provider of "${slug}" cannot write app "${a}"`);
  };
  /** Journals a change, then bumps the revision with the same stamp (unjournaled, pollers read everything). */
  const announce = async (ptype: string, changed: readonly Rule[]) => {
    const stamp = PolicyJournal.stamp();
    await journal
      .record(stamp, deps.clock.now(), ptype, changed)
      .catch((err: unknown) => log.warn({ reason: (err as Error).message }, 'policy journal write failed'));
    await revision.bump(stamp);
  };

  /**
   * A write that changed something bumps the revision for every instance, then reloads here so this
   * instance reads its own write. A failed reload does not undo the write: the poller retries it.
   */
  const write = async (op: 'add' | 'remove', ptype: string, rule: Rule) => {
    const count = op === 'add' ? await store.add(ptype, [rule]) : await store.remove(ptype, [rule]);
    if (count === 0) return false;
    await announce(ptype, [rule]);
    if (running)
      await rebuild().catch((err: unknown) =>
        log.warn({ reason: (err as Error).message }, 'reload after a policy write failed; the poller retries'),
      );
    return true;
  };
  const current = (a: string) => (a === slug ? view : undefined);
  /** Reads never throw into a request: an unexpected failure denies. */
  const safely = <T>(read: () => T, denied: T): T => {
    try {
      return read();
    } catch (err) {
      log.error({ reason: (err as Error).message }, 'authorization check failed; denying');
      return denied;
    }
  };

  return {
    name: spec.name,
    async start() {
      if (running) return;
      await prepare();
      await store.ensureIndexes();
      await journal.start();
      const initial = app.policy.initialPolicies.map(([role, resource, action]) => [
        roleInput(role),
        slug,
        resourceInput(resource),
        actionInput(action),
      ]);
      if ((await store.add('p', initial)) > 0) await announce('p', initial);
      await rebuild();
      running = true;
      poller.start();
    },
    stop() {
      running = false;
      journal.stop();
      poller.stop();
    },
    revision: () => view?.revision ?? -1,
    ready: () => view !== undefined,
    // The hot path: one LRU hit and two map lookups once the user's memo is warm.
    can(a, userId, resource, action) {
      try {
        return current(a)?.can(userId, resource, action) ?? false;
      } catch (err) {
        log.error({ reason: (err as Error).message }, 'authorization check failed; denying');
        return false;
      }
    },
    hasRole: (a, userId, role) => safely(() => current(a)?.facts(userId).roleSet.has(role) ?? false, false),
    rolesFor: (a, userId) => safely(() => [...(current(a)?.facts(userId).roles ?? [])], []),
    permissionsFor: (a, userId) =>
      safely(
        (): Permission[] =>
          (current(a)?.permissions(userId) ?? []).map(({ resource, action }) => ({ resource, action })),
        [],
      ),
    async grantRole(a, userId, role) {
      own(a);
      return write('add', 'g', [subjectOf(userIdInput(userId)), roleInput(role), slug]);
    },
    async revokeRole(a, userId, role) {
      own(a);
      return write('remove', 'g', [subjectOf(userIdInput(userId)), roleInput(role), slug]);
    },
    async addPolicy(a, role, resource, action) {
      own(a);
      return write('add', 'p', [roleInput(role), slug, resourceInput(resource), actionInput(action)]);
    },
    async removePolicy(a, role, resource, action) {
      own(a);
      return write('remove', 'p', [roleInput(role), slug, resourceInput(resource), actionInput(action)]);
    },
    async addRoleInheritance(a, role, inherits) {
      own(a);
      return write('add', 'g', [roleInput(role), roleInput(inherits), slug]);
    },
    async removeRoleInheritance(a, role, inherits) {
      own(a);
      return write('remove', 'g', [roleInput(role), roleInput(inherits), slug]);
    },
    reload: () => rebuild(),
    async catchUp(sinceMs) {
      if (confirmedAt >= sinceMs || !running) return;
      let timeout: NodeJS.Timeout | undefined;
      // A failed or slow check leaves the loaded policy in place, as the poller would.
      await Promise.race([
        check().catch(() => {}),
        new Promise<void>((r) => {
          timeout = setTimeout(r, CATCH_UP_MS);
        }),
      ]);
      clearTimeout(timeout);
    },
  };
}
