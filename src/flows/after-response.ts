import { AsyncLocalStorage } from 'node:async_hooks';
import type { FlowDeps } from './deps.js';

/**
 * Work a flow starts and does not wait for: the response does not depend on it (a login's
 * outcome record on a success, lastLoginAt and a hash upgrade, session-limit eviction), so the
 * client does not wait for it either.
 *
 * Why a registry and a marker: deferring is only honest if it can be seen. Tests await
 * `flows.afterResponse()` before they check what the work wrote; the benchmark counts the commands
 * sent inside `isAfterResponseWork()` apart from the request path (the marker is an
 * AsyncLocalStorage, which follows the work into every driver call it makes). A stopping
 * instance waits for it before it closes the database.
 */
const marker = new AsyncLocalStorage<true>();
const pending = new WeakMap<FlowDeps, Set<Promise<void>>>();

/** True inside work started by `later` (the driver's command events run in the caller's context). */
export const isAfterResponseWork = (): boolean => marker.getStore() === true;

/** Runs `work` without making the caller wait; failures are logged, never thrown at anyone. */
export function later(s: FlowDeps, what: string, work: () => Promise<unknown>): void {
  const set = pending.get(s) ?? new Set<Promise<void>>();
  pending.set(s, set);
  const done: Promise<void> = marker
    .run(true, work)
    .then(
      () => {},
      (err: unknown) => s.logger.error({ err, what }, 'work after the response failed'),
    )
    .finally(() => set.delete(done));
  set.add(done);
}

/** Resolves once every piece of work started by `later` for `s` so far (and what it started) is done. */
export async function afterResponse(s: FlowDeps): Promise<void> {
  const set = pending.get(s);
  while (set?.size) await Promise.all([...set]);
}
