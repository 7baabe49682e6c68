/**
 * The use-cases (login, refresh, account, MFA, admin), reached through `createFlows(deps)`: the
 * composition root binds them to the domain services once; resolvers call `ctx.flows.…`.
 */
export { checkName } from './admin.js';
export { isAfterResponseWork } from './after-response.js';
export { createFlows, type Flows } from './create.js';
export type { FlowDeps } from './deps.js';
export { FlowError, INVALID_CREDENTIALS, INVALID_REFRESH } from './errors.js';
export type { AuthResult } from './issue.js';
export type { RequestInfo } from './request-info.js';
export { ANONYMOUS_ROLE, initialRolesOf, rolesForNewUser } from './roles.js';
export type { Credentials } from './sign-in.js';
