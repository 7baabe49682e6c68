// An operation that asks one downstream service only is sent to it as the client wrote it, in one
// call, instead of being delegated root field by root field through the stitched schema: stitching
// builds, prints and sends a request per root field and merges each result back through the gateway's
// resolvers (most of a gateway request's CPU, bench/results/profile-http). Enforcement is unchanged:
// the auth plugin decides on the whole document before execution, and a refused operation never
// reaches this executor.
import {
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  isNonNullType,
  Kind,
  type OperationDefinitionNode,
  print,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ExecutionArgsLike } from '../enforcement/index.js';
import type { GatehouseContext } from '../graphql/index.js';
import type { DirectCall } from './direct-call.js';

/** A downstream service, as the pass-through calls it. */
export interface RootFieldOwner {
  readonly name: string;
  readonly send: DirectCall;
}

/** Which downstream answers each root field (Gatehouse's own fields are absent). */
export type RootFieldOwners = Readonly<Record<'query' | 'mutation', ReadonlyMap<string, RootFieldOwner>>>;

interface Route {
  readonly owner: RootFieldOwner;
  readonly operation: OperationDefinitionNode;
  /**
   * The request body up to its variables, printed and serialised once per route: the operation and
   * the fragments it uses, nothing else (another operation of the document may ask other services).
   */
  readonly body: string;
  /** The operation's variable names. */
  readonly variables: readonly string[];
  /** Root selections by response key, for errors the service reports against no field. */
  readonly roots: ReadonlyMap<string, FieldNode[]>;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
}

const owned = new WeakMap<
  GraphQLSchema,
  // By operation node, not by operation name: names a client makes up (that match nothing) are not remembered.
  { owners: RootFieldOwners; routes: WeakMap<OperationDefinitionNode, Route | null> }
>();

/** Marks `schema` (a stitched gateway schema) as answerable by pass-through for the operations its owners cover. */
export function enablePassThrough(schema: GraphQLSchema, owners: RootFieldOwners): GraphQLSchema {
  owned.set(schema, { owners, routes: new WeakMap() });
  return schema;
}

/** Fields of a selection set, through its inline fragments and fragment spreads. */
function fieldsOf(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
) {
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(s.selectionSet, fragments, seen));
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const f = fragments.get(s.name.value);
      if (f) out.push(...fieldsOf(f.selectionSet, fragments, seen));
    }
  }
  return out;
}

/** Names of the fragments `set` uses, at any depth. */
function spreadsOf(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, used: Set<string>) {
  for (const s of set.selections) {
    if (s.kind === Kind.FRAGMENT_SPREAD) {
      const f = fragments.get(s.name.value);
      if (f && !used.has(f.name.value)) {
        used.add(f.name.value);
        spreadsOf(f.selectionSet, fragments, used);
      }
    } else if (s.selectionSet) spreadsOf(s.selectionSet, fragments, used);
  }
}

/** The route of an operation, or null when it is not one service's alone (own fields, introspection, several services, subscriptions). */
function routeOf(owners: RootFieldOwners, document: DocumentNode, operation: OperationDefinitionNode): Route | null {
  if (operation.operation === 'subscription') return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const byField = owners[operation.operation];
  const roots = new Map<string, FieldNode[]>();
  let owner: RootFieldOwner | undefined;
  for (const field of fieldsOf(operation.selectionSet, fragments)) {
    const key = field.alias?.value ?? field.name.value;
    roots.set(key, [...(roots.get(key) ?? []), field]);
    if (field.name.value === '__typename') continue;
    const o = byField.get(field.name.value);
    if (!o || (owner && o !== owner)) return null;
    owner = o;
  }
  if (!owner) return null;
  const used = new Set<string>();
  spreadsOf(operation.selectionSet, fragments, used);
  const definitions = [operation, ...[...fragments.values()].filter((f) => used.has(f.name.value))];
  const forwarded: DocumentNode =
    definitions.length === document.definitions.length ? document : { kind: Kind.DOCUMENT, definitions };
  const name = operation.name?.value;
  return {
    owner,
    operation,
    variables: (operation.variableDefinitions ?? []).map((v) => v.variable.name.value),
    body: `{"query":${JSON.stringify(print(forwarded))}${name ? `,"operationName":${JSON.stringify(name)}` : ''}`,
    roots,
    fragments,
  };
}

/** The field nodes at a response path of the operation (list indices skipped), for an error's locations. */
function nodesAt(route: Route, path: readonly (string | number)[]): FieldNode[] {
  let sets: readonly SelectionSetNode[] = [route.operation.selectionSet];
  let nodes: FieldNode[] = [];
  for (const key of path) {
    if (typeof key === 'number') continue;
    nodes = sets
      .flatMap((set) => fieldsOf(set, route.fragments))
      .filter((f) => (f.alias?.value ?? f.name.value) === key);
    sets = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
  }
  return nodes;
}

/**
 * A service's error as the stitched schema reports it: at `path` of the client's document, with
 * the service's error as its cause, so the gateway's error masking treats it as it treats any
 * downstream failure (public codes pass, the rest is an INTERNAL_SERVER_ERROR).
 */
function placed(error: GraphQLError, nodes: readonly FieldNode[], path: readonly (string | number)[]): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: nodes.length ? nodes : undefined,
    path,
    originalError: error.originalError ?? error,
    extensions: error.extensions,
  });
}

/**
 * The service's answer in the shape the stitched schema gives: its data as is (the document is the
 * one the gateway validated, so the shape is the gateway's), no extensions; when it executed nothing
 * (unreachable, or refused the request as a whole) each root field fails with its errors, as a
 * failed delegation does.
 */
function shaped(route: Route, schema: GraphQLSchema, result: ExecutionResult): ExecutionResult {
  const errors = (result.errors ?? []) as GraphQLError[];
  if (result.data != null || errors.some((e) => e.path?.length)) {
    // Located in the client's document, not in the copy the service was sent.
    const located = errors.map((e) => (e.path?.length ? placed(e, nodesAt(route, e.path), e.path) : e));
    return located.length ? { data: result.data ?? null, errors: located } : { data: result.data ?? null };
  }
  const root = schema.getRootType(route.operation.operation);
  const data: Record<string, unknown> = {};
  const failed: GraphQLError[] = [];
  let nulled = false;
  for (const [key, nodes] of route.roots) {
    const name = nodes[0]!.name.value;
    if (name === '__typename') {
      data[key] = root?.name;
      continue;
    }
    data[key] = null;
    if (isNonNullType(root?.getFields()[name]?.type)) nulled = true;
    for (const e of errors) failed.push(placed(e, nodes, [key]));
  }
  return { data: nulled ? null : data, errors: failed };
}

/** Errors of variables the client sent that the operation's definitions refuse (what execution would answer). */
function variableErrors(schema: GraphQLSchema, route: Route, variables: Record<string, unknown> | null | undefined) {
  const defs = route.operation.variableDefinitions;
  if (!defs?.length) return undefined;
  const { errors } = getVariableValues(schema, defs, variables ?? {}, { maxErrors: 50 });
  return errors?.length ? errors : undefined;
}

/** Sends a routed operation to its service and shapes the answer. */
async function passThrough(route: Route, args: ExecutionArgsLike): Promise<ExecutionResult> {
  const invalid = variableErrors(args.schema, route, args.variableValues);
  if (invalid) return { errors: invalid };
  const given = args.variableValues;
  let variables: Record<string, unknown> | undefined;
  // Only the variables the operation defines go down (as stitching sends only those it uses).
  for (const name of route.variables) {
    if (!given || !Object.hasOwn(given, name)) continue;
    variables ??= {};
    variables[name] = given[name];
  }
  const result = await route.owner.send({
    body: variables ? `${route.body},"variables":${JSON.stringify(variables)}}` : `${route.body}}`,
    operationType: route.operation.operation as 'query' | 'mutation',
    context: args.contextValue as GatehouseContext | undefined,
  });
  return shaped(route, args.schema, result);
}

/**
 * The plugin: in gateway mode, an operation that is one downstream service's alone goes to it in one
 * call (decided once per operation node of a parsed document). Anything else runs on the stitched schema.
 */
export function usePassThrough(): Plugin {
  return {
    onExecute({ args, setExecuteFn }) {
      const gateway = owned.get(args.schema);
      if (!gateway) return;
      const operation = getOperationAST(args.document, args.operationName ?? undefined);
      if (!operation) return; // execution answers it (no such operation)
      let route = gateway.routes.get(operation);
      if (route === undefined) {
        route = routeOf(gateway.owners, args.document, operation);
        gateway.routes.set(operation, route);
      }
      if (route) {
        const r = route;
        setExecuteFn((a) => passThrough(r, a as ExecutionArgsLike));
      }
    },
  };
}
