/** What a flow needs to know about the request that carries it. */
export interface RequestInfo {
  ip: string;
  userAgent: string | undefined;
}
