/** RFC 6750's b64token, bounded: the one pattern for an `Authorization: Bearer` header, server and library. */
const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/i;

/** The token of an `Authorization` header value; undefined when it is absent or not a well-formed Bearer. */
export function bearerToken(header: string | null | undefined): string | undefined {
  return typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
}

type NodeHeaders = { headers?: Record<string, string | string[] | undefined> };

/** The Bearer token of a context's request: a Fetch `request` (Yoga) or a Node `req`. */
export function requestBearer(context: { request?: unknown; req?: unknown }): string | undefined {
  const request = context.request as Request | undefined;
  const header =
    request?.headers?.get('authorization') ?? (context.req as NodeHeaders | undefined)?.headers?.authorization;
  return typeof header === 'string' ? bearerToken(header) : undefined;
}
