import type { AuditOutcome, AuditType } from '../audit/index.js';
import type { FlowDeps } from './deps.js';
import type { RequestInfo } from './request-info.js';

/** Records an auth event with the request's IP and user agent. */
export function auditAuth(
  s: FlowDeps,
  app: string,
  req: RequestInfo,
  type: AuditType,
  outcome: AuditOutcome,
  extra: {
    userId?: string | null;
    sessionId?: string | null;
    details?: Record<string, string | number | boolean>;
  } = {},
): void {
  s.audit.record({ app, type, outcome, ip: req.ip, userAgent: req.userAgent ?? null, ...extra });
}
