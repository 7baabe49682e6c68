import type { KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import { type GatehouseContext, presentedToken } from '../graphql/index.js';
import { gatewayHeaders, gatewayKeyObject, type SignedCall } from '../vocabulary/index.js';

/** Builds the headers of one downstream call from the request being served (or none: the gateway's own call). */
export type HeadersFor = (
  service: string,
  ctx: GatehouseContext | undefined,
  call: SignedCall,
) => Promise<Record<string, string>>;

/**
 * What goes downstream: `X-Gatehouse-App`, and for a caller whose token the auth plugin verified,
 * `Authorization: Bearer <that token>` (a cookie caller's token too), `X-Gatehouse-User-Id` and
 * `X-Gatehouse-Session-Id`; always a fresh timestamp, nonce and `X-Gatehouse-Signature` over them
 * and over this call's method and body. A token that did not verify is not forwarded: a service
 * behind the gateway only ever sees identities the gateway vouches for.
 */
export function createHeadersFor(secret: string, clock: Clock): HeadersFor {
  const keys = new Map<string, KeyObject>();
  const keyOf = (service: string) => {
    let key = keys.get(service);
    if (!key) {
      key = gatewayKeyObject(secret, service);
      keys.set(service, key);
    }
    return key;
  };
  return async (service, ctx, call) => {
    const user = ctx?.currentUser ?? null;
    const token = user && ctx ? await presentedToken(ctx) : undefined;
    const who = {
      app: ctx?.app.slug ?? null,
      userId: token ? user!.userId : null,
      sessionId: token ? user!.sessionId : null,
    };
    const headers = gatewayHeaders(keyOf(service), who, call, clock.ms());
    if (token) headers.authorization = `Bearer ${token}`;
    return headers;
  };
}
