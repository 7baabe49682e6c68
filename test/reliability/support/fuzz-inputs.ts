import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeEmail } from '../../../src/identity/index.js';
import {
  RelLoginAnonymousDocument,
  RelLoginDocument,
  RelRefreshDocument,
  RelRegisterDocument,
} from '../../generated/graphql.js';
import { call, type Outcome, send, transportProblem } from './http.js';

/** The account the fuzzers aim at: a real user whose credentials they mutate. */
export interface Target {
  url: string;
  email: string;
  password: string;
  userId: string;
  /** A live refresh token the fuzzers mutate but never send as it is. */
  refreshToken: string;
}

const JUNK = [
  '',
  ' ',
  '\u0000',
  '\u200b',
  '\u202e',
  '\ud800',
  'null',
  'undefined',
  'NaN',
  '__proto__',
  'constructor',
  '$where',
  '{"$gt":""}',
  "' OR '1'='1",
  '"; db.dropDatabase(); "',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '%00',
  '\r\nX-Injected: 1',
];
/** Values that are not strings at all: NoSQL operators, prototype keys, containers, numbers. */
const NOT_STRINGS = [
  { $ne: null },
  { $gt: '' },
  { $regex: '.*' },
  { $where: 'sleep(100)' },
  { $exists: true },
  JSON.parse('{"__proto__":{"admin":true}}'),
  { constructor: { prototype: { admin: true } } },
  [],
  ['a'],
  0,
  -1,
  1e308,
  true,
  {},
];

/** Strings of every shape: printable, full Unicode (lone surrogates included), graphemes, long. */
export const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(...JUNK),
  fc.string({ minLength: 300, maxLength: 3000 }),
);
const notAString = fc.oneof(fc.constantFrom(...NOT_STRINGS), fc.jsonValue({ maxDepth: 2 }));
const anything = fc.oneof({ weight: 6, arbitrary: weirdString }, { weight: 2, arbitrary: notAString });

/** One edit of `s`: insert, delete or replace a character (never the identity). */
export const edit = (s: string) =>
  fc
    .tuple(
      fc.nat({ max: s.length }),
      fc.constantFrom('insert', 'delete', 'replace'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }),
    )
    .map(([i, op, c]) =>
      op === 'insert'
        ? s.slice(0, i) + c + s.slice(i)
        : op === 'delete'
          ? s.slice(0, i) + s.slice(i + 1)
          : s.slice(0, i) + c + s.slice(i + 1),
    )
    .filter((x) => x !== s);

/** Near misses of an email: case, confusables (ı, ſ, K, fullwidth), zero-width and trailing characters, edits. */
export const emailLike = (email: string) =>
  fc.oneof(
    fc.constant(email),
    fc.mixedCase(fc.constant(email)),
    fc.constantFrom(
      email.replace('i', 'ı'),
      email.replace('s', 'ſ'),
      email.replace('k', '\u212a'),
      email.replace('@', '＠'),
      `${email}.`,
      `${email}\u200b`,
      ` ${email} `,
    ),
    edit(email),
    fc.emailAddress(),
    anything,
  );

export const passwordLike = (password: string) =>
  fc.oneof(
    fc.constant(password),
    edit(password),
    fc.mixedCase(fc.constant(password)),
    fc.constant(`${password} `),
    anything,
  );

/** `input` objects: right fields, missing fields, extra fields, or not an object at all. */
const inputOf = (email: fc.Arbitrary<unknown>, password: fc.Arbitrary<unknown>) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record(
        { email, password, deviceId: fc.option(anything, { nil: null }) },
        { requiredKeys: ['email', 'password'] },
      ),
    },
    { weight: 1, arbitrary: fc.record({ email, password }, { requiredKeys: [] }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.record({ email, password }), fc.dictionary(fc.string(), anything, { maxKeys: 3 }))
        .map(([a, b]) => ({ ...b, ...a })),
    },
    { weight: 1, arbitrary: notAString },
  );

const same = (a: unknown, b: string, norm: (s: string) => string) => {
  if (typeof a !== 'string') return false;
  try {
    return norm(a) === norm(b);
  } catch {
    return false;
  }
};

export interface FuzzReport {
  runs: number;
  outcomes: Map<string, number>;
}

const tally = (r: FuzzReport, o: Outcome<unknown>) => {
  const key = o.errors.length ? String(o.code ?? `HTTP ${o.status}`) : 'ok';
  r.outcomes.set(key, (r.outcomes.get(key) ?? 0) + 1);
};

const clean = (o: Outcome<unknown>, vars: unknown) => {
  const problem = transportProblem(o);
  assert.equal(problem, undefined, `${problem}\nvariables: ${JSON.stringify(vars)?.slice(0, 500)}`);
};

const settings = (numRuns: number) => ({ numRuns, endOnFailure: true });

/** login: success only for the real account's email (any accepted spelling) AND its exact password (NFKC). */
export async function fuzzLogin(t: Target, numRuns: number): Promise<FuzzReport> {
  const report: FuzzReport = { runs: 0, outcomes: new Map() };
  await fc.assert(
    fc.asyncProperty(inputOf(emailLike(t.email), passwordLike(t.password)), async (input) => {
      report.runs++;
      const o = await call(t.url, RelLoginDocument, { input });
      tally(report, o);
      clean(o, input);
      if (o.data?.login) {
        const i = input as { email: unknown; password: unknown };
        assert.ok(same(i.email, t.email, normalizeEmail), `logged in with another email: ${JSON.stringify(i.email)}`);
        assert.ok(
          same(i.password, t.password, (s) => s.normalize('NFKC')),
          `logged in with a wrong password: ${JSON.stringify(i.password)}`,
        );
        assert.equal(o.data.login.user.id, t.userId);
      } else {
        assert.ok(o.errors.length > 0);
      }
    }),
    settings(numRuns),
  );
  return report;
}

/** register: never yields the existing account, never stores anything but the normalized email it was given. */
export async function fuzzRegister(t: Target, numRuns: number): Promise<FuzzReport> {
  const report: FuzzReport = { runs: 0, outcomes: new Map() };
  const strongish = fc
    .tuple(fc.string({ minLength: 4, maxLength: 12 }), fc.nat())
    .map(([s, n]) => `Quartz-${s}-Meadow-${n}-Lantern`);
  await fc.assert(
    fc.asyncProperty(inputOf(emailLike(t.email), fc.oneof(strongish, passwordLike(t.password))), async (input) => {
      report.runs++;
      const o = await call(t.url, RelRegisterDocument, { input });
      tally(report, o);
      clean(o, input);
      const p = o.data?.register;
      if (p) {
        const email = (input as { email: string }).email;
        assert.notEqual(p.user.id, t.userId, `registration returned the existing account for ${JSON.stringify(email)}`);
        assert.notEqual(p.user.email, normalizeEmail(t.email));
        assert.equal(p.user.email, normalizeEmail(email));
        assert.equal(p.user.kind, 'PASSWORD');
      }
    }),
    settings(numRuns),
  );
  return report;
}

/** loginAnonymous: only ever an ANONYMOUS user, the same one for the same device id. */
export async function fuzzLoginAnonymous(t: Target, numRuns: number): Promise<FuzzReport> {
  const report: FuzzReport = { runs: 0, outcomes: new Map() };
  const byDevice = new Map<string, string>();
  const deviceId = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
    fc.constant(t.userId),
    fc.constant(t.email),
    anything,
  );
  await fc.assert(
    fc.asyncProperty(deviceId, async (id) => {
      report.runs++;
      const o = await call(t.url, RelLoginAnonymousDocument, { deviceId: id });
      tally(report, o);
      clean(o, id);
      const p = o.data?.loginAnonymous;
      if (p) {
        assert.equal(p.user.kind, 'ANONYMOUS');
        assert.notEqual(p.user.id, t.userId);
        const key = String(id);
        assert.equal(byDevice.get(key) ?? p.user.id, p.user.id, 'one device id, two users');
        byDevice.set(key, p.user.id);
      }
    }),
    settings(numRuns),
  );
  return report;
}

/** refresh: mutated, truncated or foreign tokens never rotate anything. */
export async function fuzzRefresh(t: Target, numRuns: number): Promise<FuzzReport> {
  const report: FuzzReport = { runs: 0, outcomes: new Map() };
  const token = fc.oneof(
    edit(t.refreshToken),
    fc.mixedCase(fc.constant(t.refreshToken)).filter((x) => x !== t.refreshToken),
    fc.constant(t.refreshToken.slice(0, -1)),
    fc.constant(`${t.refreshToken}=`),
    fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    anything,
  );
  await fc.assert(
    fc.asyncProperty(token, async (refreshToken) => {
      report.runs++;
      const o = await call(t.url, RelRefreshDocument, { refreshToken });
      tally(report, o);
      clean(o, refreshToken);
      assert.equal(o.data?.refresh ?? null, null, `refreshed with ${JSON.stringify(refreshToken)}`);
    }),
    settings(numRuns),
  );
  return report;
}

/** Whole request bodies: random JSON, random query text, batches, wrong content types. */
export async function fuzzRawBodies(url: string, numRuns: number): Promise<FuzzReport> {
  const report: FuzzReport = { runs: 0, outcomes: new Map() };
  const query = fc.oneof(
    fc.constantFrom(
      'mutation { login(input: {email: "a@b.co", password: "x"}) { accessToken } }',
      '{ me { id } }',
      '{ __typename }',
      'mutation { refresh { accessToken } }',
    ),
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );
  const body = fc.oneof(
    fc
      .record({ query, variables: fc.option(fc.jsonValue({ maxDepth: 3 })), operationName: fc.option(fc.string()) })
      .map((b) => JSON.stringify(b)),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.array(fc.record({ query }), { maxLength: 12 }).map((b) => JSON.stringify(b)),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.constant(
      '{"query":"mutation($i: LoginInput!) { login(input: $i) { accessToken } }","variables":{"i":{"__proto__":{"admin":true},"email":"a@b.co","password":"x"}}}',
    ),
  );
  const contentType = fc.constantFrom(
    'application/json',
    'application/graphql-response+json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
  );
  await fc.assert(
    fc.asyncProperty(body, contentType, async (text, type) => {
      report.runs++;
      const o = await send<unknown>(url, { method: 'POST', headers: { 'content-type': type }, body: text });
      tally(report, o);
      assert.ok(
        o.status > 0 && o.status < 500,
        `HTTP ${o.status} for ${type} ${text.slice(0, 200)}: ${o.text.slice(0, 300)}`,
      );
      const problem = transportProblem(o);
      if (problem && !problem.startsWith('HTTP') && !problem.includes('without data or errors'))
        assert.fail(`${problem}\nbody: ${text.slice(0, 200)}`);
    }),
    settings(numRuns),
  );
  return report;
}

export const describeReport = (name: string, r: FuzzReport) =>
  `${name}: ${r.runs} runs — ${[...r.outcomes].map(([k, n]) => `${k} ${n}`).join(', ')}`;
