import type { Clock } from '../clock.js';
import { presentedToken } from '../graphql/auth-plugin.js';
import type { GatehouseContext } from '../graphql/context.js';
import { deriveGatewayKey, gatewayHeaders } from './signature.js';

/** Builds the headers of one downstream call from the request being served (or none: the gateway's own call). */
export type HeadersFor = (service: string, ctx: GatehouseContext | undefined) => Promise<Record<string, string>>;

/**
 * What goes downstream: `X-Gatehouse-App`, and for a caller whose token the auth plugin verified,
 * `Authorization: Bearer <that token>` (a cookie caller's token too) and `X-Gatehouse-User-Id`;
 * always a fresh `X-Gatehouse-Signature` over them. A token that did not verify is not forwarded:
 * a service behind the gateway only ever sees identities the gateway vouches for.
 */
export function createHeadersFor(secret: string, clock: Clock): HeadersFor {
  const keys = new Map<string, Buffer>();
  const keyOf = (service: string) => {
    let key = keys.get(service);
    if (!key) {
      key = deriveGatewayKey(secret, service);
      keys.set(service, key);
    }
    return key;
  };
  return async (service, ctx) => {
    const now = clock.ms() / 1000;
    const user = ctx?.currentUser ?? null;
    const token = user && ctx ? await presentedToken(ctx) : undefined;
    const who = { app: ctx?.app.slug ?? null, userId: token ? user!.userId : null };
    const headers = gatewayHeaders(keyOf(service), service, who, now);
    if (token) headers.authorization = `Bearer ${token}`;
    return headers;
  };
}
