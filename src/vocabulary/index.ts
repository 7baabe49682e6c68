/**
 * The words every layer shares: error codes, the directive definitions and what a guarded field
 * requires. Imports nothing of Gatehouse's, so anything may import it.
 */

export {
  AUTH_DIRECTIVES_SDL,
  type AuthDirectiveArgs,
  authDirective,
  GATEHOUSE_DIRECTIVES_SDL,
  type PermissionDirectiveArgs,
  permissionDirective,
  schemaDirectives,
} from './directives.js';
export { ERROR_CODES, type ErrorCode, PUBLIC_CODES } from './error-codes.js';
export {
  type CallerChecks,
  meets,
  permissionPairs,
  policyPermission,
  type Requirement,
  requirementOf,
  SERVED_APPS_EXTENSION,
} from './requirements.js';
