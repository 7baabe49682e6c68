import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateKeyPair, SignJWT } from 'jose';
import { RelMeDocument } from '../../generated/graphql.js';
import type { FuzzReport } from './fuzz-inputs.js';
import { call, transportProblem } from './http.js';

/** A real session's access token and what it says, plus a second user to impersonate. */
export interface TokenTarget {
  url: string;
  /** The instance's public JWKS (key-confusion forgeries use it as an HMAC secret). */
  jwks: { keys: Record<string, unknown>[] };
  token: string;
  userId: string;
  otherUserId: string;
}

const b64 = (x: string | Uint8Array) => Buffer.from(x).toString('base64url');
const bytes = (segment: string) => Buffer.from(segment, 'base64url');
const json = (segment: string) => JSON.parse(bytes(segment).toString('utf8')) as Record<string, unknown>;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Same bytes once decoded (a base64url edit can leave them unchanged): that is the real token, not a forgery. */
function sameAsReal(real: string, candidate: string): boolean {
  const a = real.split('.');
  const b = candidate.split('.');
  return a.length === b.length && a.every((s, i) => bytes(s).equals(bytes(b[i]!)) && /^[A-Za-z0-9_-]*$/.test(b[i]!));
}

/** Every forgery the fuzzer builds from the real token. */
function forgeries(t: TokenTarget) {
  const [h, p, s] = t.token.split('.') as [string, string, string];
  const header = json(h);
  const payload = json(p);
  const now = Math.floor(Date.now() / 1000);

  const headerArb = fc
    .record({
      alg: fc.constantFrom(
        'none',
        'None',
        'NONE',
        'nOnE',
        '',
        'HS256',
        'HS512',
        'RS256',
        'ES256',
        'PS256',
        'EdDSA',
        'ES256K',
        'dir',
        'PBES2-HS256+A128KW',
      ),
      kid: fc.oneof(
        fc.constant(header.kid),
        fc.string(),
        fc.constantFrom('../../../../dev/null', "' OR '1'='1", '', null),
      ),
      typ: fc.constantFrom('at+jwt', 'JWT', 'jwt', 'AT+JWT', undefined),
      extra: fc.dictionary(
        fc.constantFrom('jku', 'jwk', 'x5u', 'x5c', 'crit', 'b64', 'zip', 'enc', 'p2c', 'cty'),
        fc.jsonValue({ maxDepth: 1 }),
        { maxKeys: 2 },
      ),
    })
    .map(({ extra, ...rest }) => ({ ...extra, ...rest }));
  const claimsArb = fc
    .record({
      sub: fc.constantFrom(payload.sub, t.otherUserId, '', '*', 'admin'),
      aud: fc.oneof(fc.constantFrom(payload.aud, 'other-app', [payload.aud, 'x'], '*'), fc.string()),
      iss: fc.constantFrom(payload.iss, 'attacker', ''),
      exp: fc.constantFrom(payload.exp, now + 10 * 365 * 86_400, now - 3600, 0, '9999999999', null),
      iat: fc.constantFrom(payload.iat, now + 3600, -1),
      nbf: fc.constantFrom(undefined, now + 3600, 0),
      sid: fc.oneof(fc.constant(payload.sid), fc.string()),
      jti: fc.constant(payload.jti),
      roles: fc.constantFrom(payload.roles, ['admin'], '*'),
    })
    .map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
  const sigArb = fc.oneof(
    fc.constant(s),
    fc.constant(''),
    fc.uint8Array({ maxLength: 96 }).map(b64),
    fc
      .nat({ max: s.length - 1 })
      .chain((i) => fc.constantFrom(...B64URL).map((c) => s.slice(0, i) + c + s.slice(i + 1))),
  );

  /** Header and claims re-encoded with some signature: the signature no longer covers what it carries. */
  const reassembled = fc
    .tuple(fc.oneof(fc.constant(header), headerArb), fc.oneof(fc.constant(payload), claimsArb), sigArb)
    .map(([hh, pp, ss]) => {
      const hs = hh === header ? h : b64(JSON.stringify(hh));
      const ps = pp === payload ? p : b64(JSON.stringify(pp));
      return `${hs}.${ps}.${ss}`;
    });
  /** One character of the real token changed. */
  const edited = fc
    .tuple(fc.nat({ max: t.token.length - 1 }), fc.constantFrom(...`${B64URL}.=+/~ `))
    .map(([i, c]) => t.token.slice(0, i) + c + t.token.slice(i + 1));
  /** Cut, doubled, reordered, padded. */
  const structural = fc.constantFrom(
    `${h}.${p}`,
    `${h}.${p}.`,
    `${h}..${s}`,
    `.${p}.${s}`,
    `${p}.${h}.${s}`,
    `${t.token}.${s}`,
    `${h}.${p}.${s}.${s}.${s}`,
    `${t.token}=`,
    t.token.slice(0, -1),
    t.token.slice(1),
    `${b64('{"alg":"none"}')}.${p}.`,
    `${b64('{"alg":"none","typ":"at+jwt"}')}.${p}.`,
  );
  /** Validly signed — by the wrong key: a fresh Ed25519 key under the real kid, or HS256 keyed with public material. */
  const signed = fc
    .tuple(claimsArb, fc.constantFrom('fresh-ed25519', 'hs256-jwks', 'hs256-x'))
    .map(([claims, how]) => ({ claims, how }));
  const printable = fc.string({ unit: 'grapheme-ascii', maxLength: 600 });
  return { reassembled, edited, structural, signed, printable, header };
}

/**
 * Random and mutated access tokens sent as Bearer to `me` (an @auth field): nothing but the real
 * token ever authenticates; every answer is a clean UNAUTHENTICATED, never a 5xx or a stack.
 */
export async function fuzzAccessTokens(t: TokenTarget, numRuns: number): Promise<FuzzReport> {
  const report: FuzzReport = { runs: 0, outcomes: new Map() };
  const f = forgeries(t);
  const fresh = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const firstKey = t.jwks.keys[0] ?? {};
  const sign = async ({ claims, how }: { claims: Record<string, unknown>; how: string }) => {
    const header = { kid: String(f.header.kid), typ: 'at+jwt' };
    if (how === 'fresh-ed25519')
      return new SignJWT(claims).setProtectedHeader({ ...header, alg: 'EdDSA' }).sign(fresh.privateKey);
    const secret = new TextEncoder().encode(
      how === 'hs256-jwks' ? JSON.stringify(t.jwks) : String(firstKey.x ?? firstKey.n ?? 'k'),
    );
    return new SignJWT(claims).setProtectedHeader({ ...header, alg: 'HS256' }).sign(secret);
  };
  const tokenArb = fc.oneof(
    { weight: 4, arbitrary: f.reassembled },
    { weight: 3, arbitrary: f.edited },
    { weight: 1, arbitrary: f.structural },
    { weight: 2, arbitrary: f.signed },
    { weight: 1, arbitrary: f.printable },
  );
  const scheme = fc.constantFrom('Bearer ', 'Bearer ', 'Bearer ', 'bearer ', 'Bearer  ', 'Basic ', '', 'Bearer\t');

  await fc.assert(
    fc.asyncProperty(tokenArb, scheme, async (made, prefix) => {
      const token = typeof made === 'string' ? made : await sign(made);
      fc.pre(!sameAsReal(t.token, token));
      report.runs++;
      const o = await call(t.url, RelMeDocument, {}, { authorization: `${prefix}${token}` });
      const key = o.data?.me ? 'AUTHENTICATED' : String(o.code ?? `HTTP ${o.status}`);
      report.outcomes.set(key, (report.outcomes.get(key) ?? 0) + 1);
      const problem = transportProblem(o);
      assert.equal(problem, undefined, `${problem}\ntoken: ${prefix}${token}`);
      assert.equal(o.data?.me ?? null, null, `authenticated with a forged token: ${prefix}${token}`);
      assert.equal(o.code, 'UNAUTHENTICATED', `answered ${o.code} for ${prefix}${token}`);
    }),
    { numRuns, endOnFailure: true },
  );
  return report;
}
