import type { GraphQLField, GraphQLInterfaceType, GraphQLObjectType } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import {
  type Checked,
  createTokenVerifier,
  type ExecutionArgsLike,
  FORBIDDEN,
  needsOfPlan,
  type Plan,
  type Refusal,
  requestBearer,
  SERVICE_UNAVAILABLE,
  UNAUTHENTICATED,
  useEnforcement,
  type VerifierOptions,
} from '../enforcement/index.js';
import type { VerifiedToken } from '../tokens/index.js';
import { meets, requirementOf } from '../vocabulary/index.js';
import { type MongoPermissions, mongoSource } from './mongodb-source.js';
import { type RemotePermissions, remoteSource } from './remote-source.js';
import type { Decision, PermissionSource } from './source.js';

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

interface RequestState {
  token?: string;
  decision?: Decision;
}

type Context = Record<string, unknown>;

/**
 * An Envelop plugin for any Yoga / Envelop server: enforces Gatehouse's @auth / @permission (and
 * the Federation @authenticated / @requiresScopes / @policy) with Gatehouse access tokens, the
 * same way Gatehouse does (the same enforcement core) — before execution, so a refused field's
 * resolver never runs. `context.currentUser` is the verified token (`userId`, `app`, `sessionId`, …) or null.
 */
export function useGatehouse(options: UseGatehouseOptions): GatehousePlugin {
  const verify = createTokenVerifier(options);
  const source: PermissionSource =
    'mongodb' in options.permissions
      ? mongoSource(options.app, options.permissions)
      : remoteSource(options.permissions);
  const getToken = options.getToken ?? requestBearer;
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

  async function resolveUser(ctx: Context): Promise<VerifiedToken | null> {
    const token = await getToken(ctx);
    if (!token) return null;
    const user = await verify(token);
    if (user) stateOf(ctx).token = token;
    return user;
  }

  /** Before the synchronous checks: settle, asynchronously, everything they will ask. */
  async function prepare(args: ExecutionArgsLike, plan: Plan) {
    const ctx = args.contextValue as Context;
    const user = ctx.currentUser as VerifiedToken | null | undefined;
    const state = stateOf(ctx);
    if (!user || !state.token) return;
    const needs = needsOfPlan(args.schema, plan);
    if (!needs.any) return;
    try {
      await source.ready();
      state.decision = await source.decide(user, state.token, needs);
    } catch {
      state.decision = { kind: 'unavailable' };
    }
    if (state.decision.kind === 'unauthenticated') ctx.currentUser = null;
  }

  /** The library's check of one field: the directive requirements against this operation's decision. */
  function check(
    on: Checked<VerifiedToken, Context>,
    parentType: GraphQLObjectType | GraphQLInterfaceType,
    field: GraphQLField<unknown, unknown>,
  ): Refusal | undefined {
    const req = requirementOf(on.schema, parentType, field);
    if (!req.authenticated) return undefined;
    if (!on.user) return UNAUTHENTICATED;
    const decision = states.get(on.context)?.decision;
    if (!decision || decision.kind === 'unavailable') return SERVICE_UNAVAILABLE;
    if (decision.kind === 'unauthenticated') return UNAUTHENTICATED;
    return meets(req, decision.checks) ? undefined : FORBIDDEN;
  }

  const enforcement = useEnforcement<VerifiedToken, Context>({ resolveUser, prepare, check });
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(enforcement);
    },
    ready: () => source.ready(),
    close: () => source.close(),
  };
}
