/** The object types of the Gatehouse schema (each registers itself with the builder on import). */
export { AuditEventRef } from './audit-event.js';
export { AuthPayloadRef, type AuthPayloadView } from './auth-payload.js';
export { PermissionRef } from './permission.js';
export { SessionRef, type SessionView } from './session.js';
export { UserKindEnum, UserRef } from './user.js';
export { resolveUserReference } from './user-entity.js';
