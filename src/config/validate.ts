import { multiAppSchema, type RawManifest, singleAppSchema } from './manifest-schema.js';

export type ValidationResult = { ok: true; manifest: RawManifest } | { ok: false; errors: string[] };

/** `apps[0].auth.tokens.access_ttl` — dotted, brackets for array indexes, as docs/contract.md's `validate` prints. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

/** Checks a parsed JSON value against the manifest schema; every problem comes back as `<path>: <message>`. */
export function validateManifest(input: unknown): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: ['(root): must be a JSON object'] };
  }
  // Choose the form by its shape rather than with a union, so errors speak of one form only.
  const schema = 'apps' in input ? multiAppSchema : singleAppSchema;
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, manifest: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`) };
}
