import { type ResolvedManifest, resolveManifest, validateManifest } from '../../src/config/index.js';
import { BUILTIN_DEFAULTS } from '../../src/config/resolve.js';

/** A validated, resolved manifest from a plain object (throws with every error if invalid). */
export function manifestFrom(raw: unknown): ResolvedManifest {
  const v = validateManifest(raw);
  if (!v.ok) throw new Error(`test manifest invalid:\n${v.errors.join('\n')}`);
  return resolveManifest(v.manifest, BUILTIN_DEFAULTS);
}

/** A small app manifest for tests; `auth` is merged over these defaults. */
export function testManifest(auth: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): unknown {
  return {
    slug: 'test',
    auth: {
      users: { allow_registration: true },
      ...auth,
    },
    ...extra,
  };
}
