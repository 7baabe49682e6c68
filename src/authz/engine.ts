import type { CoreDeps } from '../services.js';
import { actionInput, resourceInput, roleInput, userIdInput } from './input.js';
import { DEFAULT_LIMITS, type Evaluator, type MemoLimits, PolicyView } from './memo.js';
import { type Rule, subjectOf } from './rbac.js';
import { PolicyRevision, type RevisionMark, sameMark } from './revision.js';
import { PolicyStore } from './store.js';
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
  /** Builds an evaluator from the app's rows as stored now; runs off the request path. */
  load(store: PolicyStore): Promise<Evaluator>;
  /** True when something besides the revision calls for a rebuild. */
  outdated?(): boolean;
}

/** How long a request may wait for catchUp before it is answered from the loaded policy. */
export const CATCH_UP_MS = 1500;

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
 * The machinery both providers share: storage writes that bump the revision, the revision poller,
 * the double-buffered view (a fresh evaluator and rebuilt memos are swapped in whole, never
 * mutated in place) and the synchronous, fail-closed checks.
 */
export function createEngine(spec: EngineSpec): Authorization {
  const { deps, app } = spec;
  const slug = app.slug;
  const store = PolicyStore.open(deps.database.db, app.policy.policiesCollection);
  const revision = new PolicyRevision(deps.database.db, slug);
  const log = deps.logger.child({ component: 'authz', provider: spec.name, app: slug });
  let view: PolicyView | undefined;
  let loaded: RevisionMark | undefined;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  // Clock time at which the last successful read of the stored revision began: every write made
  // before it is in the loaded view (or being loaded).
  let confirmedAt = 0;

  const prepare = once(() => spec.prepare());
  const rebuild = singleFlight(async () => {
    await prepare();
    // The mark is read before the rows: the rows are then at least that new, and any later write
    // changes the mark again, so the next poll catches it.
    const started = deps.clock.ms();
    const mark = await revision.read();
    const evaluator = await spec.load(store);
    view = await PolicyView.build(mark.revision, evaluator, view, spec.limits ?? DEFAULT_LIMITS);
    loaded = mark;
    confirmedAt = Math.max(confirmedAt, started);
    deps.metrics.policyRevision(mark.revision);
  });

  /** Reads the stored revision and rebuilds if it moved. */
  const check = singleFlight(async () => {
    const started = deps.clock.ms();
    const mark = await revision.read();
    if (!loaded || !sameMark(mark, loaded) || spec.outdated?.()) await rebuild();
    confirmedAt = Math.max(confirmedAt, started);
  });

  const poll = async () => {
    timer = undefined;
    try {
      await check();
      if (failing) log.info('policy reload recovered');
      failing = false;
    } catch (err) {
      // Keep the last loaded policy: checks go on answering from memory.
      if (!failing) log.warn({ reason: (err as Error).message }, 'policy reload failed; keeping the loaded policy');
      failing = true;
      deps.metrics.databaseError();
    }
    if (running) timer = setTimeout(poll, spec.pollMs).unref();
  };

  const own = (a: string) => {
    if (a !== slug) throw new Error(`the authorization provider of "${slug}" cannot write app "${a}"`);
  };
  /**
   * A write that changed something bumps the revision for every instance, then reloads here so this
   * instance reads its own write. A failed reload does not undo the write: the poller retries it.
   */
  const write = async (op: 'add' | 'remove', ptype: string, rule: Rule) => {
    const count = op === 'add' ? await store.add(ptype, [rule]) : await store.remove(ptype, [rule]);
    if (count === 0) return false;
    await revision.bump();
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
      const initial = app.policy.initialPolicies.map(([role, resource, action]) => [
        roleInput(role),
        slug,
        resourceInput(resource),
        actionInput(action),
      ]);
      if ((await store.add('p', initial)) > 0) await revision.bump();
      await rebuild();
      running = true;
      timer = setTimeout(poll, spec.pollMs).unref();
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
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
