import { useGenericAuth, type ValidateUserFnParams } from '@envelop/generic-auth';
import { createGraphQLError } from '@graphql-tools/utils';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { VerifiedToken } from '../tokens/index.js';
import type { ErrorCode } from '../vocabulary/index.js';
import { requirementOf } from '../vocabulary/index.js';
import { meets, needsOf } from './checks.js';
import { type MongoPermissions, mongoSource } from './mongodb-source.js';
import { type RemotePermissions, remoteSource } from './remote-source.js';
import type { Decision, PermissionSource } from './source.js';
import { createTokenVerifier, type VerifierOptions } from './verify.js';

export interface UseGatehouseOptions extends VerifierOptions {
  /** Where @permission / @auth(roles:) are decided: Gatehouse's MongoDB, or Gatehouse's `can` over HTTP. */
  permissions: MongoPermissions | RemotePermissions;
  /** The access token of a request (default: its `Authorization: Bearer` header). */
  getToken?: (context: Record<string, unknown>) => string | undefined | Promise<string | undefined>;
}

export interface GatehousePlugin extends Plugin {
  /** Resolves once policies are loaded (MongoDB); requests wait for it anyway. */
  ready(): Promise<void>;
  /** Stops the policy and revocation pollers. */
  close(): Promise<void>;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/i;

/** `Authorization: Bearer …` from a Fetch request (Yoga) or a Node request (`req`). */
function bearerToken(context: Record<string, unknown>): string | undefined {
  const request = context.request as Request | undefined;
  const node = context.req as { headers?: Record<string, string | string[] | undefined> } | undefined;
  const header = request?.headers?.get('authorization') ?? node?.headers?.authorization;
  return typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
}

interface RequestState {
  token?: string;
  decision?: Decision;
}

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, SERVICE_UNAVAILABLE: 503 };
const refuse = (p: ValidateUserFnParams<unknown>, code: ErrorCode, message: string) =>
  createGraphQLError(message, {
    nodes: [p.fieldNode],
    path: p.path,
    extensions: { code, http: { status: STATUS[code] } },
  });

/**
 * An Envelop plugin for any Yoga / Envelop server: enforces Gatehouse's @auth / @permission (and
 * the Federation @authenticated / @requiresScopes / @policy) with Gatehouse access tokens, the
 * same way Gatehouse does — before execution, so a refused field's resolver never runs.
 * `context.currentUser` is the verified token (`userId`, `app`, `sessionId`, …) or null.
 */
export function useGatehouse(options: UseGatehouseOptions): GatehousePlugin {
  const verify = createTokenVerifier(options);
  const source: PermissionSource =
    'mongodb' in options.permissions
      ? mongoSource(options.app, options.permissions)
      : remoteSource(options.permissions);
  const getToken = options.getToken ?? bearerToken;
  const states = new WeakMap<object, RequestState>();
  const stateOf = (ctx: object) => {
    let s = states.get(ctx);
    if (!s) {
      s = {};
      states.set(ctx, s);
    }
    return s;
  };
  // Start loading now; a failure is retried per request and answers SERVICE_UNAVAILABLE meanwhile.
  source.ready().catch(() => {});

  /** Before generic-auth's check: settle, asynchronously, everything its synchronous check will ask. */
  async function prepare(args: { schema: GraphQLSchema; document: DocumentNode; contextValue: unknown }) {
    const ctx = args.contextValue as Record<string, unknown>;
    const user = ctx.currentUser as VerifiedToken | null | undefined;
    const state = stateOf(ctx);
    if (!user || !state.token) return;
    const needs = needsOf(args.schema, args.document);
    if (!needs.any) return;
    try {
      await source.ready();
      state.decision = await source.decide(user, state.token, needs);
    } catch {
      state.decision = { kind: 'unavailable' };
    }
    if (state.decision.kind === 'unauthenticated') ctx.currentUser = null;
  }

  function validateUser(p: ValidateUserFnParams<VerifiedToken | null | undefined>) {
    const req = requirementOf(p.executionArgs.schema, p.parentType, p.field);
    if (!req.authenticated) return undefined;
    if (!p.user) return refuse(p, 'UNAUTHENTICATED', 'Authentication required');
    const decision = states.get(p.executionArgs.contextValue as object)?.decision;
    if (!decision || decision.kind === 'unavailable') {
      return refuse(p, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable');
    }
    if (decision.kind === 'unauthenticated') return refuse(p, 'UNAUTHENTICATED', 'Authentication required');
    return meets(req, decision.checks) ? undefined : refuse(p, 'FORBIDDEN', 'Forbidden');
  }

  return {
    onPluginInit({ addPlugin }) {
      addPlugin({
        onExecute: ({ args }) => prepare(args),
        onSubscribe: ({ args }) => prepare(args),
      });
      addPlugin(
        useGenericAuth<VerifiedToken, Record<string, unknown>>({
          mode: 'protect-granular',
          authDirectiveName: 'auth',
          async resolveUserFn(ctx) {
            const token = await getToken(ctx);
            if (!token) return null;
            const user = await verify(token);
            if (user) stateOf(ctx).token = token;
            return user;
          },
          validateUser: validateUser as (p: ValidateUserFnParams<VerifiedToken>) => ReturnType<typeof validateUser>,
        }) as Plugin,
      );
    },
    ready: () => source.ready(),
    close: () => source.close(),
  };
}
