import type { AppConfig } from '../config/index.js';

export interface Permission {
  resource: string;
  action: string;
}

/**
 * Authorization behind one interface (Casbin by default, OSO as the alternative).
 * Role membership and policies both live here; checks are synchronous and answered from memory
 * (generic-auth's validateUser is synchronous), and fail closed when the provider is not ready.
 */
export interface AuthorizationProvider {
  readonly name: 'casbin' | 'oso';
  /** Loads policies, applies initial_policies / initial_roles idempotently, starts polling the revision. */
  start(): Promise<void>;
  stop(): void;
  /** The policy revision currently loaded. */
  revision(): number;
  ready(): boolean;
  can(app: string, userId: string, resource: string, action: string): boolean;
  hasRole(app: string, userId: string, role: string): boolean;
  rolesFor(app: string, userId: string): string[];
  permissionsFor(app: string, userId: string): Permission[];
  /** Each write bumps the revision in `meta`; every instance reloads within the poll bound. */
  grantRole(app: string, userId: string, role: string): Promise<boolean>;
  revokeRole(app: string, userId: string, role: string): Promise<boolean>;
  addPolicy(app: string, role: string, resource: string, action: string): Promise<boolean>;
  removePolicy(app: string, role: string, resource: string, action: string): Promise<boolean>;
  /** Reloads now (after this instance's own write, or in tests). */
  reload(): Promise<void>;
  /**
   * Makes sure the loaded policy includes every write made before `sinceMs` (clock ms): when the
   * last check of the stored revision began earlier, checks it now (shared by concurrent callers)
   * and reloads if it moved. Bounded: after CATCH_UP_MS it settles for what is loaded.
   */
  catchUp(sinceMs: number): Promise<void>;
}

export type AuthzAppConfig = Pick<AppConfig, 'slug' | 'policy'>;
