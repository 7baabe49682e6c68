/** The `extensions.code` values clients may rely on (docs/contract.md). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'RATE_LIMITED'
  | 'MFA_REQUIRED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

/** Each code's meaning and the extensions it carries; docs/contract.md's error table is generated from it. */
export const ERROR_CODES: Readonly<Record<ErrorCode, { meaning: string; extensions?: string }>> = {
  UNAUTHENTICATED: {
    meaning:
      'no valid credentials: missing, malformed, expired or revoked token, wrong password or unknown user (same message for both)',
  },
  FORBIDDEN: {
    meaning: 'authenticated, but the roles or policies do not allow it; also CSRF failures and disabled features',
    extensions: '`reason` where the refusal has a machine-readable cause',
  },
  BAD_USER_INPUT: {
    meaning: 'an argument is invalid',
    extensions: "`field` (the argument's own name); `reasons` (string list) for a weak password",
  },
  RATE_LIMITED: { meaning: 'too many attempts', extensions: '`retryAfter` (seconds, ≥ 1)' },
  MFA_REQUIRED: {
    meaning:
      'login: the password was right and the account has TOTP, but `totpCode` is missing (a wrong code is UNAUTHENTICATED)',
  },
  SERVICE_UNAVAILABLE: {
    meaning: 'a dependency (the database, the revocation feed) is unreachable or stale: fail closed',
    extensions: '`http.status` 503',
  },
  INTERNAL_SERVER_ERROR: { meaning: 'anything unexpected; the message is masked' },
};

export const PUBLIC_CODES: ReadonlySet<string> = new Set(Object.keys(ERROR_CODES));
