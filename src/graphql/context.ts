import type { YogaInitialContext } from 'graphql-yoga';
import type { AppConfig } from '../config/index.js';
import type { Flows } from '../flows/index.js';
import type { Services } from './services.js';
import type { VerifiedToken } from '../tokens/index.js';

export interface GatehouseContext extends YogaInitialContext {
  /** The tenant of this request (X-Gatehouse-App, else the manifest's first app). */
  app: AppConfig;
  services: Services;
  /** The use-cases, bound to this instance's services: resolvers call `ctx.flows.login(…)`. */
  flows: Flows;
  clientIp: string;
  userAgent: string | undefined;
  /** Set by the auth plugin from a verified token, never from input; null when none came. */
  currentUser?: VerifiedToken | null;
  /** The caller holds a role of `auth.mfa.required_roles` without TOTP: only enrolment is open to them. */
  mfaEnrollmentRequired?: boolean;
}
