import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { stitchSchemas } from '@graphql-tools/stitch';
import { type Executor, MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  buildASTSchema,
  type ExecutionResult,
  type GraphQLObjectType,
  type GraphQLSchema,
  isIntrospectionType,
  isScalarType,
  isSpecifiedScalarType,
} from 'graphql';
import { errorCodeOf, failSpan, inSpan, SpanKind } from '../observability/index.js';
import { SERVED_APPS_EXTENSION } from '../vocabulary/index.js';
import { type DownstreamSpan, directCall } from './direct-call.js';
import type { HeadersFor } from './forward.js';
import type { LoadedDownstream } from './load.js';
import { enablePassThrough, type RootFieldOwner } from './pass-through.js';
import { type SignedPost, signedPost, signingFetch } from './signed-post.js';
import { DownstreamSdlError, prepareDownstreamSdl } from './sdl.js';

export interface StitchOptions {
  /** Per downstream call (default 10 s). */
  timeoutMs?: number;
  /**
   * Send an operation that asks one downstream service only to it in one call, as the client
   * wrote it (default true). Off: every operation is delegated field by field (tests compare the two).
   */
  passThrough?: boolean;
}

/** The client span of a downstream call; the signed post injects `traceparent`, naming it the parent of what the service records. */
function downstreamSpan(d: LoadedDownstream): DownstreamSpan {
  const target = new URL(d.url);
  // For span attributes: the endpoint without any user:password@ part.
  const endpoint = `${target.protocol}//${target.host}${target.pathname}`;
  return (operationType, call) =>
    inSpan(
      'downstream',
      async (span) => {
        if (span.isRecording()) {
          span.setAttribute('gatehouse.downstream', d.name);
          span.setAttribute('url.full', endpoint);
          span.setAttribute('graphql.operation.type', operationType);
        }
        const result = await call();
        if (result.errors?.length) failSpan(span, errorCodeOf(result.errors[0]));
        return result;
      },
      SpanKind.CLIENT,
    );
}

/**
 * Calls `d` over HTTP, always POST, each call signed from the request's context. Whatever
 * `extensions` the delegated request carries are dropped: executor-http would turn
 * `extensions.headers` / `.endpoint` / `.fetch` into real headers, URL and transport, and only the
 * gateway decides those. In-flight deduplication is off: it is keyed by URL, body and the headers
 * known before fetch, not by the caller, and every call carries its own nonce anyway.
 */
function forwardingExecutor(d: LoadedDownstream, post: SignedPost, span: DownstreamSpan): Executor {
  const http = buildHTTPExecutor({
    endpoint: d.url,
    method: 'POST',
    disposable: false,
    deduplicateInflightRequests: false,
    fetch: signingFetch(post, d.name),
  });
  return ((request) =>
    span(
      request.operationType ?? 'query',
      () => http({ ...request, extensions: {} }) as Promise<ExecutionResult>,
    )) as Executor;
}

const rootTypes = (s: GraphQLSchema) =>
  [s.getQueryType(), s.getMutationType(), s.getSubscriptionType()].filter((t): t is GraphQLObjectType => Boolean(t));

const rootKind = (s: GraphQLSchema, t: GraphQLObjectType | string) => {
  const name = typeof t === 'string' ? t : t.name;
  if (name === s.getQueryType()?.name) return 'Query';
  if (name === s.getMutationType()?.name) return 'Mutation';
  return 'Subscription';
};

/**
 * Marks the root fields of downstream services that serve only some apps. Their types are reached
 * only through their root fields (names never collide, nothing is merged), so the root is enough.
 */
function markServedApps(stitched: GraphQLSchema, remotes: { schema: GraphQLSchema; apps?: string[] | undefined }[]) {
  const served = new Map<string, readonly string[]>();
  for (const { schema, apps } of remotes) {
    if (!apps) continue;
    for (const root of rootTypes(schema))
      for (const field of Object.keys(root.getFields())) served.set(`${rootKind(schema, root)}.${field}`, apps);
  }
  if (served.size === 0) return stitched;
  return mapSchema(stitched, {
    [MapperKind.ROOT_FIELD]: (config, field, typeName) => {
      const apps = served.get(`${rootKind(stitched, typeName)}.${field}`);
      return apps ? { ...config, extensions: { ...config.extensions, [SERVED_APPS_EXTENSION]: apps } } : config;
    },
  });
}

/**
 * Names each service contributes. Two services may share a scalar; anything else that collides
 * would be silently overwritten by stitching — a downstream `Mutation.login` must never shadow
 * Gatehouse's — so a collision fails start-up instead.
 */
function assertNoCollisions(own: GraphQLSchema, remotes: { name: string; schema: GraphQLSchema }[]): void {
  const owner = new Map<string, string>();
  const claim = (service: string, what: string) => {
    const prior = owner.get(what);
    if (prior !== undefined) {
      throw new DownstreamSdlError(service, `declares ${what}, which ${prior} already declares`);
    }
    owner.set(what, service === 'gatehouse' ? 'Gatehouse' : `downstream "${service}"`);
  };
  for (const { name, schema } of [{ name: 'gatehouse', schema: own }, ...remotes]) {
    const roots = new Set(rootTypes(schema));
    for (const root of roots) {
      const kind =
        root === schema.getQueryType() ? 'Query' : root === schema.getMutationType() ? 'Mutation' : 'Subscription';
      for (const field of Object.keys(root.getFields())) claim(name, `${kind}.${field}`);
    }
    for (const type of Object.values(schema.getTypeMap())) {
      if (roots.has(type as GraphQLObjectType) || isIntrospectionType(type) || isScalarType(type)) continue;
      if (isSpecifiedScalarType(type)) continue;
      claim(name, `type ${type.name}`);
    }
  }
}

/**
 * One executable schema: Gatehouse's own plus every downstream's root fields and types, with
 * their directives kept (mergeDirectives) so the auth plugin enforces the @auth / @permission /
 * @authenticated / @requiresScopes / @policy each service declares before anything is called.
 */
export function buildGatewaySchema(
  own: GraphQLSchema,
  downstream: LoadedDownstream[],
  headersFor: HeadersFor,
  opts: StitchOptions = {},
): GraphQLSchema {
  if (downstream.length === 0) return own;
  const remotes = downstream.map((d) => {
    let schema: GraphQLSchema;
    try {
      schema = buildASTSchema(prepareDownstreamSdl(d.name, d.sdl));
    } catch (err) {
      if (err instanceof DownstreamSdlError) throw err;
      throw new DownstreamSdlError(d.name, `its SDL is not a valid schema: ${(err as Error).message}`);
    }
    const post = signedPost(headersFor, d.name, opts.timeoutMs ?? 10_000); // one keep-alive pool per service
    const span = downstreamSpan(d);
    return {
      name: d.name,
      apps: d.apps,
      schema,
      executor: forwardingExecutor(d, post, span),
      send: directCall(d.name, d.url, post, span),
    };
  });
  assertNoCollisions(own, remotes);
  const stitched = stitchSchemas({
    subschemas: [{ schema: own }, ...remotes.map(({ schema, executor }) => ({ schema, executor }))],
    mergeDirectives: true,
  });
  const served = markServedApps(stitched, remotes);
  if (opts.passThrough === false) return served;
  const owners = { query: new Map<string, RootFieldOwner>(), mutation: new Map<string, RootFieldOwner>() };
  for (const remote of remotes) {
    const { schema } = remote;
    for (const [kind, root] of [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
    ] as const)
      for (const field of Object.keys(root?.getFields() ?? {})) owners[kind].set(field, remote);
  }
  return enablePassThrough(served, owners);
}
