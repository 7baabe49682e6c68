import type { Needs } from '../enforcement/index.js';
import type { VerifiedToken } from '../tokens/index.js';
import type { CallerChecks } from '../vocabulary/index.js';

/** A caller's standing for one operation. */
export type Decision =
  | { kind: 'checks'; checks: CallerChecks }
  /** Gatehouse no longer accepts the token (session revoked, user gone). */
  | { kind: 'unauthenticated' }
  /** The policy source cannot answer now: guarded fields fail closed. */
  | { kind: 'unavailable' };

/** Where roles and permissions come from: Gatehouse's MongoDB, or Gatehouse itself over HTTP. */
export interface PermissionSource {
  /** Resolves once the source can answer; rejects when it cannot start. */
  ready(): Promise<void>;
  /** Called once per operation that selects guarded fields, before any of them is checked. */
  decide(user: VerifiedToken, token: string, needs: Needs): Promise<Decision> | Decision;
  close(): Promise<void>;
}

export const UNAVAILABLE: Decision = Object.freeze({ kind: 'unavailable' });
export const UNAUTHENTICATED: Decision = Object.freeze({ kind: 'unauthenticated' });
