import { pairKey } from './rbac.js';
import type { Permission } from './types.js';

/**
 * (resource, action) pairs the application checks, e.g. every `@permission` of the schema.
 * Providers that cannot answer synchronously (OSO) precompute their answers for these pairs and
 * for the pairs of the stored rules; any other pair is denied. Adding pairs makes running
 * providers recompute at their next poll. One per Gatehouse instance (Services.permissionHints),
 * filled from its schema and, in gateway mode, from each reloaded gateway schema.
 */
export class PermissionHints {
  private readonly pairs = new Map<string, Permission>();
  private changes = 0;

  add(...permissions: Permission[]): void {
    for (const { resource, action } of permissions) {
      const key = pairKey({ resource, action });
      if (this.pairs.has(key)) continue;
      this.pairs.set(key, { resource, action });
      this.changes++;
    }
  }

  list(): Permission[] {
    return [...this.pairs.values()];
  }

  /** Moves whenever a new pair is added. */
  get version(): number {
    return this.changes;
  }
}
