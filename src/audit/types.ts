export type AuditOutcome = 'success' | 'failure' | 'denied';

export type AuditType =
  | 'login'
  | 'register'
  | 'login_anonymous'
  | 'refresh'
  | 'refresh_theft'
  | 'logout'
  | 'logout_all'
  | 'session_revoked'
  | 'session_evicted'
  | 'password_change'
  | 'account_locked'
  | 'role_granted'
  | 'role_revoked'
  | 'policy_added'
  | 'policy_removed'
  | 'key_rotated'
  | 'email_verification_sent'
  | 'email_verified'
  | 'password_reset_requested'
  | 'password_reset'
  | 'totp_enrolled'
  | 'totp_disabled'
  | 'recovery_code_used';

export interface AuditEventInput {
  app: string;
  type: AuditType;
  outcome: AuditOutcome;
  userId?: string | null;
  sessionId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Small, non-secret facts (role name, reason); never a token or password. */
  details?: Record<string, string | number | boolean>;
}

export interface AuditEvent extends AuditEventInput {
  id: string;
  at: Date;
}

export interface AuditLog {
  start(): Promise<void>;
  /** Flushes what is queued. */
  stop(): Promise<void>;
  /** Never blocks the request: queued, written in batches; a full queue counts a drop. */
  record(event: AuditEventInput): void;
  query(app: string, filter: { first: number; userId?: string | null; type?: string | null }): Promise<AuditEvent[]>;
  flush(): Promise<void>;
  dropped(): number;
}
