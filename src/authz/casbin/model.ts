import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Model, newModelFromString } from 'casbin';

/**
 * RBAC with domains (domain = app slug) and wildcards: `keyMatch` on the resource (`docs/*`, `*`)
 * and `*` as any action. Subjects are `user:<id>`; roles may be granted to roles through `g`.
 */
export const RBAC_MODEL = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && keyMatch(r.obj, p.obj) && (r.act == p.act || p.act == "*")
`;

/** The mdb-engine value that names the built-in model. */
export const BUILTIN_MODEL = 'rbac';

export interface ModelSource {
  text: string;
  /** The built-in model: checks are answered from the user's patterns, without the enforcer. */
  builtin: boolean;
}

/** `rbac` or a path to a model `.conf` file (relative to the working directory). */
export async function readModel(setting: string): Promise<ModelSource> {
  if (setting === BUILTIN_MODEL) return { text: RBAC_MODEL, builtin: true };
  const path = resolve(process.cwd(), setting);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`policy model "${setting}" is neither "${BUILTIN_MODEL}" nor a readable model file (${path})`);
  }
  parseModel({ text, builtin: false });
  return { text, builtin: false };
}

const arity = (model: Model, sec: string, key: string) => model.model.get(sec)?.get(key)?.tokens.length;

/**
 * A fresh model from the source. A custom model must keep the row layout every provider relies on
 * (`r`/`p` = sub, dom, obj, act and `g` = _, _, _): the rows are shared and filtered by domain.
 */
export function parseModel(source: ModelSource): Model {
  const model = newModelFromString(source.text);
  const roleDef = model.model.get('g')?.get('g')?.value.replace(/\s/g, '');
  if (arity(model, 'r', 'r') !== 4 || arity(model, 'p', 'p') !== 4 || roleDef !== '_,_,_')
    throw new Error(
      'a custom policy model must keep "r = sub, dom, obj, act", "p = sub, dom, obj, act" and "g = _, _, _"',
    );
  return model;
}
