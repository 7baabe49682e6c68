export { AUDIT_COLLECTION, type AuditLogOptions, type AuditWriter, createAuditLog } from './audit-log.js';
export { clampFirst, sanitizeDetails } from './event.js';
export type * from './types.js';
