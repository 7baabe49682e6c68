export {
  AUDIT_COLLECTION,
  type AuditLogOptions,
  type AuditSettings,
  type AuditWriter,
  createAuditLog,
} from './audit-log.js';
export { clampFirst, sanitizeDetails } from './event.js';
export type * from './types.js';
