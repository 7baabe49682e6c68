import { builder } from '../builder.js';
import type { GatehouseContext } from '../context.js';
import {
  assertCsrfBoundTo,
  assertMayIssueCookies,
  deliver,
  forget,
  refreshTokenOf,
  requestInfo,
} from '../credentials.js';
import { unauthenticated } from '../errors.js';
import { AuthPayloadRef } from '../types/index.js';

const RegisterInput = builder.inputType('RegisterInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    deviceId: t.string({ required: false }),
  }),
});

const LoginInput = builder.inputType('LoginInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    deviceId: t.string({ required: false }),
    totpCode: t.string({
      required: false,
      description: 'A TOTP or a recovery code, when the account has two-factor authentication on.',
    }),
  }),
});

/** The verified caller of an @auth field; the directive plugin has already refused anyone else. */
export function caller(ctx: GatehouseContext) {
  if (!ctx.currentUser) throw unauthenticated();
  return ctx.currentUser;
}

builder.mutationFields((t) => ({
  register: t.field({
    type: AuthPayloadRef,
    args: { input: t.arg({ type: RegisterInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      assertMayIssueCookies(ctx);
      return deliver(ctx, await ctx.flows.register(ctx.app, input, requestInfo(ctx)));
    },
  }),
  login: t.field({
    type: AuthPayloadRef,
    args: { input: t.arg({ type: LoginInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      assertMayIssueCookies(ctx);
      return deliver(ctx, await ctx.flows.login(ctx.app, input, requestInfo(ctx)));
    },
  }),
  loginAnonymous: t.field({
    type: AuthPayloadRef,
    args: { deviceId: t.arg.string({ required: true }) },
    resolve: async (_r, { deviceId }, ctx) => {
      assertMayIssueCookies(ctx);
      return deliver(ctx, await ctx.flows.loginAnonymous(ctx.app, deviceId, requestInfo(ctx)));
    },
  }),
  refresh: t.field({
    type: AuthPayloadRef,
    args: { refreshToken: t.arg.string({ required: false }) },
    resolve: async (_r, args, ctx) => {
      assertMayIssueCookies(ctx);
      const { token, fromCookie } = await refreshTokenOf(ctx, args.refreshToken);
      const result = await ctx.flows.refresh(ctx.app, token, requestInfo(ctx));
      if (fromCookie) assertCsrfBoundTo(ctx, result.session.id);
      return deliver(ctx, result);
    },
  }),
  logout: t.boolean({
    directives: { auth: {} },
    resolve: async (_r, _a, ctx) => {
      const done = await ctx.flows.logout(ctx.app, caller(ctx), requestInfo(ctx));
      await forget(ctx);
      return done;
    },
  }),
  logoutAll: t.int({
    directives: { auth: {} },
    resolve: async (_r, _a, ctx) => {
      const n = await ctx.flows.logoutAll(ctx.app, caller(ctx), requestInfo(ctx));
      await forget(ctx);
      return n;
    },
  }),
  revokeSession: t.boolean({
    directives: { auth: {} },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, { id }, ctx) => ctx.flows.revokeSession(ctx.app, caller(ctx), String(id), requestInfo(ctx)),
  }),
  changePassword: t.boolean({
    directives: { auth: {} },
    args: {
      currentPassword: t.arg.string({ required: true }),
      newPassword: t.arg.string({ required: true }),
    },
    resolve: (_r, a, ctx) =>
      ctx.flows.changePassword(ctx.app, caller(ctx), a.currentPassword, a.newPassword, requestInfo(ctx)),
  }),
}));
