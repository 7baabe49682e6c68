import type { YogaInitialContext } from 'graphql-yoga';
import type { AppConfig } from '../config/index.js';
import type { Services } from '../services.js';

/** Who is calling: established from a verified access token, never from input. */
export interface Principal {
  userId: string;
  app: string;
  sessionId: string;
  tokenId: string;
  /** Roles claimed at issue time: informative only, authorization reads live policy. */
  roles: string[];
  expiresAt: number;
}

export interface GatehouseContext extends YogaInitialContext {
  /** The tenant of this request (X-Gatehouse-App, else the manifest's first app). */
  app: AppConfig;
  services: Services;
  clientIp: string;
  userAgent: string | undefined;
  /** Set by the auth plugin; null when no valid token came with the request. */
  currentUser?: Principal | null;
}
