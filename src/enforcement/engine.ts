import type { GraphQLField, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type Plan, planFor } from './plan.js';
import type { Refusal } from './refusal.js';
import { type ExecutionArgsLike, refusalsOf } from './rule.js';

/** What a field check knows of the request: the schema, the context and the caller (null: nobody). */
export interface Checked<User, Context> {
  readonly schema: GraphQLSchema;
  readonly context: Context;
  readonly user: User | null;
}

/**
 * One field's verdict: a Refusal, or undefined to allow. Synchronous, and decided from the
 * parent type, the field, the caller and the context alone (never the node, path or variables),
 * which is what lets a verdict be reached once per plan entry instead of once per selection.
 */
export type FieldCheck<User, Context> = (
  on: Checked<User, Context>,
  parentType: GraphQLObjectType | GraphQLInterfaceType,
  field: GraphQLField<unknown, unknown>,
) => Refusal | undefined;

export interface EnforcementOptions<User extends object, Context extends object> {
  /** Who is calling (null: nobody); stored as `context.currentUser` while the context is built. */
  resolveUser(context: Context): Promise<User | null> | User | null;
  check: FieldCheck<User, Context>;
  /**
   * Before any field is checked, once per operation: settle asynchronously what the synchronous
   * checks will ask (the library fetches roles and permissions for the plan's needs). It may set
   * `context.currentUser` to null.
   */
  prepare?(args: ExecutionArgsLike, plan: Plan): Promise<void> | void;
  /** Wraps the allow decision of an operation (tracing); returns what `decide` returns. */
  observe?(decide: () => boolean): boolean;
}

type Caller<User> = { currentUser?: User | null };

/** Whether every check of the plan passes; anything thrown counts as "not sure", and the full rule decides. */
function passes<User, Context>(plan: Plan, on: Checked<User, Context>, check: FieldCheck<User, Context>): boolean {
  try {
    for (const { parentType, field } of plan) if (check(on, parentType, field) !== undefined) return false;
    return true;
  } catch {
    return false;
  }
}

/**
 * The enforcement both Gatehouse and useGatehouse run, in place of @envelop/generic-auth: the
 * caller is resolved into `context.currentUser` while the context is built, and the fields are
 * checked before execution, once per operation context (as generic-auth's extended validation
 * does). Which fields are checked depends only on the document, so that walk is made once per
 * parsed document (the plan); per request only the check of each distinct field runs. When one of them refuses, the document is walked
 * again the way generic-auth's rule walks it, so that refusals keep its errors, paths and status.
 */
export function useEnforcement<User extends object, Context extends object>(
  options: EnforcementOptions<User, Context>,
): Plugin {
  const { check, prepare, observe } = options;
  const decided = new WeakSet<object>();

  function decide(args: ExecutionArgsLike, plan: Plan, stop: (result: { data: null; errors: unknown[] }) => void) {
    const context = args.contextValue as Context & Caller<User>;
    const on: Checked<User, Context> = { schema: args.schema, context, user: context.currentUser ?? null };
    const allowed = observe ? observe(() => passes(plan, on, check)) : passes(plan, on, check);
    if (allowed) return;
    const errors = refusalsOf(args, (parentType, field) => check(on, parentType, field));
    if (errors.length > 0) stop({ data: null, errors });
  }

  function enforce(args: ExecutionArgsLike, stop: (result: { data: null; errors: unknown[] }) => void) {
    const context = args.contextValue as object;
    if (decided.has(context)) return undefined;
    decided.add(context);
    const plan = planFor(args.schema, args.document);
    const prepared = prepare?.(args, plan);
    if (prepared) return prepared.then(() => decide(args, plan, stop));
    decide(args, plan, stop);
    return undefined;
  }

  return {
    onContextBuilding({ context, extendContext }) {
      const settle = (user: User | null) => {
        if ((context as Caller<User>).currentUser !== user) extendContext({ currentUser: user } as never);
      };
      const user = options.resolveUser(context as unknown as Context);
      if (user instanceof Promise) return user.then(settle);
      settle(user);
      return undefined;
    },
    onExecute: ({ args, setResultAndStopExecution }) => enforce(args, setResultAndStopExecution as never),
    onSubscribe: ({ args, setResultAndStopExecution }) => enforce(args, setResultAndStopExecution as never),
  };
}
