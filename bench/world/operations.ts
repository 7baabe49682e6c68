/** Operations on Gatehouse's own schema (login, refresh, logout, and an authenticated read answered from memory). */
export const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { accessToken refreshToken user { id } session { id } }
  }
`;
export const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterInput!) {
    register(input: $input) { accessToken refreshToken user { id } session { id } }
  }
`;
export const REFRESH = /* GraphQL */ `
  mutation Refresh($token: String) {
    refresh(refreshToken: $token) { accessToken refreshToken }
  }
`;
export const LOGOUT = 'mutation Logout { logout }';
/** @auth, resolved by the in-memory permission check: zero database work by design. */
export const CAN = '{ can(resource: "profile", action: "read") }';

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  user: { id: string };
  session: { id: string };
}
