// Hand-written, not proxy-addr: that reads a Node IncomingMessage; Yoga hands us a Fetch Request, and exact trusted-proxy IPs are all the manifest offers.
import { isIP } from 'node:net';

const normalize = (ip: string) => (ip.startsWith('::ffff:') ? ip.slice(7) : ip);

/**
 * The caller's IP: the socket's peer, unless that peer is a trusted proxy, in which case the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy. A client cannot choose
 * its own rate-limit key by sending X-Forwarded-For directly.
 */
export function clientIp(
  socketAddress: string | undefined,
  forwardedFor: string | null,
  trusted: ReadonlySet<string>,
): string {
  const peer = normalize(socketAddress ?? 'unknown');
  if (!trusted.has(peer) || !forwardedFor) return peer;
  const hops = forwardedFor
    .split(',')
    .map((h) => normalize(h.trim()))
    .filter((h) => isIP(h));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!trusted.has(hop)) return hop;
  }
  return peer;
}
