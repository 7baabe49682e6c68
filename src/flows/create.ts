import { requestEmailVerification, requestPasswordReset, resetPassword, verifyEmail } from './account.js';
import { setPolicy, setRole } from './admin.js';
import { afterResponse } from './after-response.js';
import type { FlowDeps } from './deps.js';
import { confirmTotp, disableTotp, enrollTotp } from './mfa.js';
import { grantRoles, seedApp } from './roles.js';
import { changePassword, logout, logoutAll, refresh, revokeSession } from './session.js';
import { login, loginAnonymous, register } from './sign-in.js';

/** `flow(deps, ...args)` with its deps filled in. */
const bind =
  <A extends unknown[], R>(deps: FlowDeps, flow: (s: FlowDeps, ...args: A) => R) =>
  (...args: A): R =>
    flow(deps, ...args);

/**
 * The use-cases of one Gatehouse instance, bound to its domain services: what resolvers call
 * (`ctx.flows.login(app, input, req)`) and the admin CLI. Built once by the composition root.
 */
export function createFlows(deps: FlowDeps) {
  return {
    login: bind(deps, login),
    register: bind(deps, register),
    loginAnonymous: bind(deps, loginAnonymous),
    refresh: bind(deps, refresh),
    logout: bind(deps, logout),
    logoutAll: bind(deps, logoutAll),
    revokeSession: bind(deps, revokeSession),
    changePassword: bind(deps, changePassword),
    requestEmailVerification: bind(deps, requestEmailVerification),
    verifyEmail: bind(deps, verifyEmail),
    requestPasswordReset: bind(deps, requestPasswordReset),
    resetPassword: bind(deps, resetPassword),
    enrollTotp: bind(deps, enrollTotp),
    confirmTotp: bind(deps, confirmTotp),
    disableTotp: bind(deps, disableTotp),
    setRole: bind(deps, setRole),
    setPolicy: bind(deps, setPolicy),
    grantRoles: bind(deps, grantRoles),
    seedApp: bind(deps, seedApp),
    /** Resolves once the work these flows left running after their responses (so far) is done. */
    afterResponse: () => afterResponse(deps),
  };
}

export type Flows = ReturnType<typeof createFlows>;
