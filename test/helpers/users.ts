import { randomBytes } from 'node:crypto';
import { LoginDocument, RegisterDocument } from '../generated/graphql.js';
import { gql } from './graphql.js';

/** A password the policy accepts (long, random words). */
export const strongPassword = () =>
  `Lantern-${randomBytes(6).toString('hex')}-Orchard-${randomBytes(4).toString('hex')}`;
export const uniqueEmail = (tag = 'user') => `${tag}.${randomBytes(5).toString('hex')}@example.test`;

export interface Signed {
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  userId: string;
  sessionId: string;
}

function signed(
  email: string,
  password: string,
  p: { accessToken: string | null; refreshToken: string | null; user: { id: string }; session: { id: string } },
): Signed {
  if (!p.refreshToken || !p.accessToken) throw new Error('no tokens in the payload (cookie mode?)');
  return {
    email,
    password,
    accessToken: p.accessToken,
    refreshToken: p.refreshToken,
    userId: p.user.id,
    sessionId: p.session.id,
  };
}

export async function registerUser(
  url: string,
  opts: { email?: string; password?: string; deviceId?: string; headers?: Record<string, string> } = {},
): Promise<Signed> {
  const email = opts.email ?? uniqueEmail();
  const password = opts.password ?? strongPassword();
  const r = await gql(
    url,
    RegisterDocument,
    { input: { email, password, deviceId: opts.deviceId ?? null } },
    { headers: opts.headers ?? {} },
  );
  if (!r.data?.register) throw new Error(`register failed: ${JSON.stringify(r.errors)}`);
  return signed(email, password, r.data.register);
}

export async function loginUser(
  url: string,
  email: string,
  password: string,
  deviceId?: string,
  headers: Record<string, string> = {},
): Promise<Signed> {
  const r = await gql(url, LoginDocument, { input: { email, password, deviceId: deviceId ?? null } }, { headers });
  if (!r.data?.login) throw new Error(`login failed: ${JSON.stringify(r.errors)}`);
  return signed(email, password, r.data.login);
}
