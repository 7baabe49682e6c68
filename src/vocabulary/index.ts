/**
 * The words every layer shares: error codes, the directive definitions, what a guarded field
 * requires, and the signed-call protocol between the gateway and the services behind it.
 * Imports nothing of Gatehouse's, so anything may import it.
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
  APP_HEADER,
  bodyHash,
  type CanonicalFields,
  canonicalV2,
  deriveGatewayKey,
  exportGatewayKey,
  type GatewayIdentity,
  gatewayHeaders,
  gatewayKeyObject,
  KEY_INFO,
  macV2,
  NONCE_HEADER,
  SESSION_ID_HEADER,
  SIGNATURE_HEADER,
  type SignedCall,
  TIMESTAMP_HEADER,
  USER_ID_HEADER,
} from './gateway-signature.js';
export {
  type CallerChecks,
  meets,
  permissionPairs,
  policyPermission,
  type Requirement,
  requirementOf,
  SERVED_APPS_EXTENSION,
} from './requirements.js';
