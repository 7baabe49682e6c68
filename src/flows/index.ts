export { requestEmailVerification, requestPasswordReset, resetPassword, verifyEmail } from './account.js';
export { checkName, setPolicy, setRole } from './admin.js';
export { FlowError, INVALID_CREDENTIALS, INVALID_REFRESH } from './errors.js';
export type { AuthResult } from './issue.js';
export { confirmTotp, disableTotp, enrollTotp } from './mfa.js';
export type { RequestInfo } from './request-info.js';
export { ANONYMOUS_ROLE, grantRoles, initialRolesOf, rolesForNewUser, seedApp } from './roles.js';
export { changePassword, logout, logoutAll, refresh, revokeSession } from './session.js';
export { type Credentials, login, loginAnonymous, register } from './sign-in.js';
