import type { ValidateUserFnParams } from '@envelop/generic-auth';
import {
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isUnionType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { inSpanSync } from '../observability/index.js';
import type { VerifiedToken } from '../tokens/index.js';
import { useGatehouseAuth, validateField } from './auth-plugin.js';
import type { GatehouseContext } from './context.js';

/** One guarded field as generic-auth would check it: the parent type it sees and the field. */
interface Check {
  parentType: GraphQLObjectType | GraphQLInterfaceType;
  field: GraphQLField<unknown, unknown>;
  fieldNode: FieldNode;
}

/**
 * Every (parent type, field) of `document` that generic-auth hands to validateField, found the way
 * its rule walks a document: each Field of every operation and fragment, its parent from
 * TypeInfo, a union's members one by one, introspection types skipped. Fields behind @skip /
 * @include are kept, so the plan is a superset of what generic-auth checks for any variables.
 * No field is left out on the grounds that it looks public: that is validateField's call
 * (`policy.required` guards plain root fields too), made per request.
 */
function planOf(schema: GraphQLSchema, document: DocumentNode): readonly Check[] {
  const typeInfo = new TypeInfo(schema);
  const seen = new Map<object, Set<string>>();
  const checks: Check[] = [];
  const consider = (parentType: GraphQLObjectType | GraphQLInterfaceType, fieldNode: FieldNode) => {
    const field = parentType.getFields()[fieldNode.name.value];
    if (!field) return;
    let names = seen.get(parentType);
    if (names === undefined) {
      names = new Set();
      seen.set(parentType, names);
    }
    if (names.has(field.name)) return;
    names.add(field.name);
    checks.push({ parentType, field, fieldNode });
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = getNamedType(typeInfo.getParentType());
        if (!parent || isIntrospectionType(parent)) return;
        if (isUnionType(parent)) for (const member of parent.getTypes()) consider(member, node);
        else if (isObjectType(parent) || isInterfaceType(parent)) consider(parent, node);
      },
    }),
  );
  return checks;
}

const plans = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, readonly Check[]>>();
function planFor(schema: GraphQLSchema, document: DocumentNode): readonly Check[] {
  let bySchema = plans.get(schema);
  if (bySchema === undefined) {
    bySchema = new WeakMap();
    plans.set(schema, bySchema);
  }
  const hit = bySchema.get(document);
  if (hit) return hit;
  const plan = planOf(schema, document);
  bySchema.set(document, plan);
  return plan;
}

interface ExecutionArgsLike {
  schema: GraphQLSchema;
  document: DocumentNode;
  contextValue?: unknown;
}

/**
 * True when validateField passes every field of the plan for this request's caller. Sound because
 * validateField decides from the parent type, the field, the caller and the context alone, never
 * from the field node, its path or the variables (those only shape the error it returns).
 */
function allowed(args: ExecutionArgsLike): boolean {
  const user = (args.contextValue as GatehouseContext).currentUser ?? null;
  for (const { parentType, field, fieldNode } of planFor(args.schema, args.document)) {
    const params = { user, parentType, field, fieldNode, path: [], executionArgs: args };
    if (validateField(params as unknown as ValidateUserFnParams<VerifiedToken | null>) !== undefined) return false;
  }
  return true;
}

type Hooks = Required<Pick<Plugin, 'onSchemaChange' | 'onContextBuilding' | 'onExecute' | 'onSubscribe'>>;

/**
 * useGatehouseAuth() with generic-auth's per-request validation pass made cacheable per document.
 *
 * generic-auth (through @envelop/extended-validation) re-walks the whole document with TypeInfo
 * on every request, although which fields it checks depends only on the document and the schema.
 * Here that walk is done once per parsed document (Yoga's parser cache hands back the same
 * DocumentNode for the same query), leaving per request only validateField on each distinct field.
 * When every one of them passes, generic-auth could not have refused anything, so its pass is
 * skipped and the document executes as sent. When any would be refused, generic-auth's own pass
 * runs exactly as before, so refusals keep generic-auth's errors, paths and status to the byte.
 * The caller is still resolved by generic-auth (resolveCaller), and the pass runs at most once per
 * context, as extended-validation's own `didRun` guard does.
 */
export function useCachedGatehouseAuth(): Plugin<GatehouseContext> {
  const genericAuth = useGatehouseAuth() as unknown as Plugin;
  let validation: Partial<Hooks> | undefined;
  const decided = new WeakSet<object>();

  /** Whether generic-auth's pass can be left out: already run for this context, or nothing to refuse. */
  const skip = (args: ExecutionArgsLike) => {
    const context = args.contextValue as object;
    if (decided.has(context)) return true;
    decided.add(context);
    // One span for the whole decision (every planned field), not one per field.
    return inSpanSync('auth.permission', (span) => {
      let ok: boolean;
      try {
        ok = allowed(args);
      } catch {
        ok = false; // anything unexpected: generic-auth's own pass decides, as it always did
      }
      if (span.isRecording()) span.setAttribute('gatehouse.auth.allowed', ok);
      return ok;
    });
  };
  /** What extended-validation does while the context is built, done only when its pass is about to run. */
  const prepare = (contextValue: unknown) => {
    const context = contextValue as Record<string, unknown>;
    validation?.onContextBuilding?.({
      context,
      extendContext: (extension: object) => Object.assign(context, extension),
      breakContextBuilding: () => {},
    } as unknown as Parameters<Hooks['onContextBuilding']>[0]);
  };

  const plugin: Plugin = {
    onPluginInit(init) {
      // Keep extended-validation out of the plugin list: its hooks run only when the fast check fails.
      genericAuth.onPluginInit?.({
        ...init,
        addPlugin: (plugin) => {
          validation = plugin as Partial<Hooks>;
        },
      });
      if (!validation) throw new Error('generic-auth did not add its validation plugin: auth-cache cannot wrap it');
    },
    onSchemaChange: (payload) => validation?.onSchemaChange?.(payload),
    onContextBuilding: genericAuth.onContextBuilding,
    onExecute(payload) {
      if (skip(payload.args)) return undefined;
      prepare(payload.args.contextValue);
      return validation?.onExecute?.(payload);
    },
    onSubscribe(payload) {
      if (skip(payload.args)) return undefined;
      prepare(payload.args.contextValue);
      return validation?.onSubscribe?.(payload);
    },
  };
  return plugin as unknown as Plugin<GatehouseContext>;
}
