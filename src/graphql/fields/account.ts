import { builder } from '../builder.js';
import { requestInfo } from '../credentials.js';
import { caller } from './identity.js';

const TotpEnrollment = builder.objectRef<{ secret: string; otpauthUri: string }>('TotpEnrollment').implement({
  description: 'A TOTP secret to add to an authenticator app; confirmTotp with a code from it turns it on.',
  fields: (t) => ({
    secret: t.exposeString('secret', { description: 'Base32, for typing in by hand.' }),
    otpauthUri: t.exposeString('otpauthUri', { description: 'otpauth://totp/… for a QR code.' }),
  }),
});

builder.mutationFields((t) => ({
  requestEmailVerification: t.boolean({
    directives: { auth: {} },
    description: "Sends a verification message to the caller's address; false when it is verified already.",
    resolve: (_r, _a, ctx) => ctx.flows.requestEmailVerification(ctx.app, caller(ctx), requestInfo(ctx)),
  }),
  verifyEmail: t.boolean({
    args: { token: t.arg.string({ required: true }) },
    resolve: (_r, { token }, ctx) => ctx.flows.verifyEmail(ctx.app, token, requestInfo(ctx)),
  }),
  requestPasswordReset: t.boolean({
    args: { email: t.arg.string({ required: true }) },
    description: 'Always true, whether or not the address has an account.',
    resolve: (_r, { email }, ctx) => ctx.flows.requestPasswordReset(ctx.app, email, requestInfo(ctx)),
  }),
  resetPassword: t.boolean({
    args: { token: t.arg.string({ required: true }), newPassword: t.arg.string({ required: true }) },
    description: 'Sets a new password with a reset token (single use) and ends every session of the account.',
    resolve: (_r, a, ctx) => ctx.flows.resetPassword(ctx.app, a.token, a.newPassword, requestInfo(ctx)),
  }),
  enrollTotp: t.field({
    type: TotpEnrollment,
    directives: { auth: {} },
    resolve: (_r, _a, ctx) => ctx.flows.enrollTotp(ctx.app, caller(ctx)),
  }),
  confirmTotp: t.stringList({
    directives: { auth: {} },
    args: { code: t.arg.string({ required: true }) },
    description: 'Turns TOTP on; returns 10 one-time recovery codes, shown only now.',
    resolve: (_r, { code }, ctx) => ctx.flows.confirmTotp(ctx.app, caller(ctx), code, requestInfo(ctx)),
  }),
  disableTotp: t.boolean({
    directives: { auth: {} },
    args: { code: t.arg.string({ required: true }) },
    resolve: (_r, { code }, ctx) => ctx.flows.disableTotp(ctx.app, caller(ctx), code, requestInfo(ctx)),
  }),
}));
