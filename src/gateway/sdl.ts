import {
  type ConstDirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLError,
  Kind,
  parse,
  specifiedDirectives,
  visit,
} from 'graphql';
import { AUTH_DIRECTIVES_SDL } from '../vocabulary/index.js';

const AUTH_DIRECTIVES = new Set(['auth', 'permission', 'authenticated', 'requiresScopes', 'policy']);
const SPECIFIED = new Set(specifiedDirectives.map((d) => d.name));
/** Federation plumbing: meaningful to a router's query planner, not to a stitching gateway. */
const FEDERATION_TYPES = new Set(['_Service', '_Any', '_Entity', '_FieldSet', 'FieldSet']);
const FEDERATION_ROOT_FIELDS = new Set(['_service', '_entities']);
const isNamespaced = (name: string) => /^[A-Za-z0-9]+__/.test(name);

export class DownstreamSdlError extends Error {
  constructor(service: string, message: string) {
    super(`downstream "${service}": ${message}`);
    this.name = 'DownstreamSdlError';
  }
}

function stringArg(d: ConstDirectiveNode, name: string): string | undefined {
  const v = d.arguments?.find((a) => a.name.value === name)?.value;
  return v?.kind === Kind.STRING ? v.value : undefined;
}

/**
 * Local name → canonical name for the auth directives, following each `@link`: imports may be
 * renamed (`{ name: "@policy", as: "@mustHave" }`), and what is not imported is namespaced
 * (`@federation__policy`, `@authz__permission`).
 */
function linkAliases(doc: DocumentNode): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const def of doc.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of def.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = stringArg(link, 'url') ?? '';
      const ns = stringArg(link, 'as') ?? /\/([A-Za-z0-9_-]+)\/v\d+(\.\d+)?\/?$/.exec(url)?.[1];
      for (const name of AUTH_DIRECTIVES) if (ns) aliases.set(`${ns}__${name}`, name);
      const imports = link.arguments?.find((a) => a.name.value === 'import')?.value;
      if (imports?.kind !== Kind.LIST) continue;
      for (const item of imports.values) {
        if (item.kind !== Kind.OBJECT) continue;
        const field = (n: string) => {
          const f = item.fields.find((x) => x.name.value === n)?.value;
          return f?.kind === Kind.STRING ? f.value.replace(/^@/, '') : undefined;
        };
        const name = field('name');
        const as = field('as');
        if (name && as && AUTH_DIRECTIVES.has(name)) aliases.set(as, name);
      }
    }
  }
  return aliases;
}

/**
 * A downstream's `_service.sdl` made fit for stitching: Federation plumbing removed (`@link`,
 * `@key`, `_entities`, `_Any`…), Federation v1 `extend type Query` turned into definitions, auth
 * directive aliases resolved to their canonical names, and the canonical auth directive
 * definitions put in place of the service's own (enforcement must not depend on how each service
 * spelled them). Directives the service defines itself are kept; any other unknown one is dropped.
 */
export function prepareDownstreamSdl(service: string, sdl: string): DocumentNode {
  let doc: DocumentNode;
  try {
    doc = parse(sdl, { noLocation: true });
  } catch (err) {
    throw new DownstreamSdlError(service, `its SDL does not parse: ${(err as GraphQLError).message}`);
  }
  const aliases = linkAliases(doc);
  const defined = new Set<string>();
  const ownDirectives = new Set<string>();
  for (const def of doc.definitions) {
    if ('name' in def && def.name && def.kind !== Kind.DIRECTIVE_DEFINITION && !def.kind.endsWith('Extension')) {
      defined.add(def.name.value);
    }
    if (def.kind === Kind.DIRECTIVE_DEFINITION) ownDirectives.add(def.name.value);
  }
  const keepDirective = (name: string) =>
    AUTH_DIRECTIVES.has(name) || SPECIFIED.has(name) || (ownDirectives.has(name) && !isFederationDirective(name));

  const cleaned = visit(doc, {
    Directive(node) {
      const canonical = aliases.get(node.name.value) ?? node.name.value;
      if (!keepDirective(canonical)) return null;
      return canonical === node.name.value ? undefined : { ...node, name: { ...node.name, value: canonical } };
    },
    DirectiveDefinition(node) {
      return AUTH_DIRECTIVES.has(node.name.value) || isFederationDirective(node.name.value) ? null : undefined;
    },
    FieldDefinition(node) {
      return FEDERATION_ROOT_FIELDS.has(node.name.value) ? null : undefined;
    },
  });

  const definitions: DefinitionNode[] = [];
  for (const def of cleaned.definitions) {
    if ('name' in def && def.name && (FEDERATION_TYPES.has(def.name.value) || isNamespaced(def.name.value))) continue;
    if (def.kind === Kind.SCHEMA_DEFINITION || def.kind === Kind.SCHEMA_EXTENSION) {
      if (!def.operationTypes?.length) continue;
      definitions.push({ ...def, directives: [] });
      continue;
    }
    // Federation v1 subgraphs `extend` root types they never define.
    if (def.kind === Kind.OBJECT_TYPE_EXTENSION && !defined.has(def.name.value)) {
      defined.add(def.name.value);
      definitions.push({ ...def, kind: Kind.OBJECT_TYPE_DEFINITION });
      continue;
    }
    if ((def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) && !def.fields?.length) {
      continue; // a root type left empty once `_service` / `_entities` are gone
    }
    definitions.push(def);
  }
  return { kind: Kind.DOCUMENT, definitions: [...parse(AUTH_DIRECTIVES_SDL).definitions, ...definitions] };
}

const FEDERATION_DIRECTIVES = new Set([
  'link',
  'key',
  'external',
  'requires',
  'provides',
  'extends',
  'shareable',
  'inaccessible',
  'override',
  'tag',
  'composeDirective',
  'interfaceObject',
  'cost',
  'listSize',
  'context',
  'fromContext',
]);

function isFederationDirective(name: string): boolean {
  return FEDERATION_DIRECTIVES.has(name) || isNamespaced(name);
}
