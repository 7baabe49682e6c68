import type { YogaInitialContext } from 'graphql-yoga';
import type { AppConfig } from '../config/index.js';
import { bearerToken } from '../enforcement/index.js';
import type { Flows } from '../flows/index.js';
import type { VerifiedToken } from '../tokens/index.js';
import type { Services } from './services.js';

/** A fresh token pair on its way to the client (cookie mode: as cookies, with the session's CSRF token). */
export interface DeliveredTokens {
  accessToken: string;
  /** Seconds since the epoch. */
  accessExpiresAt: number;
  refreshToken: string;
  /** Seconds since the epoch: the session's expiry. */
  refreshExpiresAt: number;
  /** The session the tokens belong to: the CSRF token is bound to it. */
  sessionId: string;
}

/**
 * The credentials a request presents and what can be done about them, put into the context by
 * the HTTP layer (which owns cookies and CSRF): GraphQL and the gateway only read the context.
 */
export interface RequestCredentials {
  /** The access token: the Bearer header's (when there is one, even a malformed one), else (cookie mode) the access cookie's. */
  accessToken(): Promise<string | undefined>;
  /** Cookie mode: the refresh cookie; otherwise undefined. */
  refreshCookie(): Promise<string | undefined>;
  /** Cookie mode: whether the request comes from a page we trust (Fetch Metadata or Origin). */
  fromTrustedPage(): boolean;
  /** Whether the request's X-CSRF-Token is the one bound to `sessionId`. */
  csrfBoundTo(sessionId: string): boolean;
  /** Cookie mode: sets the access, refresh and (session-bound) CSRF cookies. */
  deliver(tokens: DeliveredTokens): Promise<void>;
  /** Cookie mode: expires the three cookies. */
  forget(): Promise<void>;
}

export interface GatehouseContext extends YogaInitialContext {
  /** The tenant of this request (X-Gatehouse-App, else the manifest's first app). */
  app: AppConfig;
  services: Services;
  /** The use-cases, bound to this instance's services: resolvers call `ctx.flows.login(…)`. */
  flows: Flows;
  clientIp: string;
  userAgent: string | undefined;
  /** Set by the HTTP layer; a context built elsewhere (a Yoga of one's own) has only the Bearer header. */
  credentials?: RequestCredentials;
  /** Set by the auth plugin from a verified token, never from input; null when none came. */
  currentUser?: VerifiedToken | null;
  /** The caller holds a role of `auth.mfa.required_roles` without TOTP: only enrolment is open to them. */
  mfaEnrollmentRequired?: boolean;
}

/** The access token a request presents (see RequestCredentials.accessToken). */
export function presentedToken(ctx: Pick<GatehouseContext, 'request' | 'credentials'>): Promise<string | undefined> {
  if (ctx.credentials) return ctx.credentials.accessToken();
  return Promise.resolve(bearerToken(ctx.request.headers.get('authorization')));
}
