import type { Oso } from 'oso';
import { keyMatch, type PolicyIndex } from '../rbac.js';

/** The actor a Polar policy sees: the app and the effective roles (answers are shared per role set). */
export class User {
  constructor(
    readonly app: string,
    readonly roles: readonly string[],
  ) {}
}

/** Helpers a policy may call: `Rbac.keyMatch(resource, pattern)`. */
const Rbac = { keyMatch };

// biome-ignore lint/suspicious/noControlCharactersInRegex: rows holding control characters are not turned into Polar
const CONTROL = /[\u0000-\u001f\u007f]/;
const literal = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * The stored `p` rows as Polar facts (see default.polar). The two `if false` clauses declare the
 * predicates, so a policy that uses them loads even when the app has no rows yet.
 */
export function factsOf(index: PolicyIndex): string {
  const lines = ['role_permission(_, _, _) if false;', 'role_pattern(_, _, _) if false;'];
  for (const [role, { resource, action }] of index.grantRows()) {
    if (CONTROL.test(role + resource + action)) continue;
    const args = `${literal(role)}, ${literal(resource)}, ${literal(action)}`;
    lines.push(`role_permission(${args});`);
    if (resource.includes('*')) lines.push(`role_pattern(${args});`);
  }
  return lines.join('\n');
}

/** A fresh Oso holding the policy and the facts; the caller frees it (its WASM memory is not collected). */
export async function loadOso(policy: string, policyName: string, facts: string): Promise<Oso> {
  // Loaded on first use: the package and its WASM cost ~15 MB that a Casbin deployment never needs.
  const oso = new (await import('oso')).Oso();
  try {
    oso.registerClass(User);
    oso.registerConstant(Rbac, 'Rbac');
    await oso.loadStr(`${policy}\n${facts}\n`, policyName);
    return oso;
  } catch (err) {
    oso.free();
    throw err;
  }
}
