import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { stitchSchemas } from '@graphql-tools/stitch';
import type { Executor } from '@graphql-tools/utils';
import { context, propagation } from '@opentelemetry/api';
import {
  buildASTSchema,
  type GraphQLObjectType,
  type GraphQLSchema,
  isIntrospectionType,
  isScalarType,
  isSpecifiedScalarType,
} from 'graphql';
import type { GatehouseContext } from '../graphql/context.js';
import { errorCodeOf, failSpan, inSpan, SpanKind } from '../observability/tracing.js';
import type { HeadersFor } from './forward.js';
import type { LoadedDownstream } from './load.js';
import { DownstreamSdlError, prepareDownstreamSdl } from './sdl.js';

export interface StitchOptions {
  /** Per downstream call (default 10 s). */
  timeoutMs?: number;
}

/**
 * Calls `d` over HTTP with headers computed per request. Whatever `extensions` the delegated
 * request carries are dropped: executor-http would turn `extensions.headers` / `.endpoint` into
 * real headers and URL, and only the gateway decides those.
 */
function forwardingExecutor(d: LoadedDownstream, headersFor: HeadersFor, timeoutMs: number): Executor {
  const http = buildHTTPExecutor({
    endpoint: d.url,
    disposable: false,
    // The timeout is applied here rather than with the `timeout` option: that one is merged with the
    // executor's long-lived dispose signal by adding a listener to it per call, which piles up
    // (MaxListenersExceededWarning) under concurrency. AbortSignal.any adds none.
    fetch: (url, init) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      return fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
    },
  });
  const target = new URL(d.url);
  // For span attributes: the endpoint without any user:password@ part.
  const endpoint = `${target.protocol}//${target.host}${target.pathname}`;
  return async (request) => {
    const headers = await headersFor(d.name, request.context as GatehouseContext | undefined);
    // A client span per call; `traceparent` names it as the parent of whatever the service records.
    return inSpan(
      'downstream',
      async (span) => {
        if (span.isRecording()) {
          span.setAttribute('gatehouse.downstream', d.name);
          span.setAttribute('url.full', endpoint);
          span.setAttribute('graphql.operation.type', request.operationType ?? 'query');
        }
        propagation.inject(context.active(), headers);
        const result = await http({ ...request, extensions: { headers } });
        const errors = (result as { errors?: readonly unknown[] }).errors;
        if (errors?.length) failSpan(span, errorCodeOf(errors[0]));
        return result;
      },
      SpanKind.CLIENT,
    );
  };
}

const rootTypes = (s: GraphQLSchema) =>
  [s.getQueryType(), s.getMutationType(), s.getSubscriptionType()].filter((t): t is GraphQLObjectType => Boolean(t));

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
    return { name: d.name, schema, executor: forwardingExecutor(d, headersFor, opts.timeoutMs ?? 10_000) };
  });
  assertNoCollisions(own, remotes);
  return stitchSchemas({
    subschemas: [{ schema: own }, ...remotes.map(({ schema, executor }) => ({ schema, executor }))],
    mergeDirectives: true,
  });
}
