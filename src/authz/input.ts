/** A role, resource, action or user id that cannot be stored (resolvers map it to BAD_USER_INPUT). */
export class PolicyInputError extends Error {
  constructor(
    readonly field: 'userId' | 'role' | 'resource' | 'action',
    message: string,
  ) {
    super(message);
    this.name = 'PolicyInputError';
  }
}

const MAX_LENGTH = 256;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

function checked(field: PolicyInputError['field'], value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH || CONTROL.test(value))
    throw new PolicyInputError(field, `${field} must be 1–${MAX_LENGTH} printable characters`);
  return value;
}

export const userIdInput = (v: string) => checked('userId', v);
export const resourceInput = (v: string) => checked('resource', v);
export const actionInput = (v: string) => checked('action', v);

/** Roles share the subject namespace with users (`user:<id>`), so a role may not look like one. */
export function roleInput(v: string): string {
  checked('role', v);
  if (v.startsWith('user:')) throw new PolicyInputError('role', 'a role name may not start with "user:"');
  return v;
}
