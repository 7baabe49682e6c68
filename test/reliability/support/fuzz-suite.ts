import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RelLoginDocument, RelMeDocument } from '../../generated/graphql.js';
import { startGatehouse, type TestInstance } from '../../helpers/gatehouse.js';
import { registerUser } from '../../helpers/users.js';
import { note } from './flags.js';
import {
  describeReport,
  type FuzzReport,
  fuzzLogin,
  fuzzLoginAnonymous,
  fuzzRawBodies,
  fuzzRefresh,
  fuzzRegister,
  type Target,
} from './fuzz-inputs.js';
import { fuzzAccessTokens } from './fuzz-tokens.js';
import { call, probe } from './http.js';
import { reliabilityManifest } from './manifest.js';

/** The fuzzing suite at a given size: the quick set runs it small, the long set large. */
export function fuzzSuite(
  label: string,
  runs: { mutations: number; tokens: number; bodies: number },
  options: { skip?: string } = {},
) {
  describe(`fuzzing (${label}): public mutations and access tokens`, options, () => {
    let gh: TestInstance;
    let target: Target;
    let otherUserId: string;
    let accessToken: string;

    before(async () => {
      gh = await startGatehouse({ manifest: reliabilityManifest() });
      const u = await registerUser(gh.url);
      const spare = await call(gh.url, RelLoginDocument, { input: { email: u.email, password: u.password } });
      target = {
        url: gh.url,
        email: u.email,
        password: u.password,
        userId: u.userId,
        refreshToken: spare.data!.login!.refreshToken!,
      };
      accessToken = u.accessToken;
      otherUserId = (await registerUser(gh.url)).userId;
    });
    after(() => gh?.close());

    /** After each property: the server answers at once, and the real credentials still work. */
    async function stillServing(report: FuzzReport, name: string) {
      note(describeReport(name, report));
      const health = await probe(`${gh.origin}/healthz`);
      assert.equal(health.status, 200);
      assert.ok(health.ms < 1000, `/healthz took ${health.ms} ms`);
      // (a fresh session each time: fuzzed logins that succeed may evict older ones past max_per_user)
      accessToken = await signIn();
      const me = await call(gh.url, RelMeDocument, {}, { token: accessToken });
      assert.equal(
        me.data?.me?.id,
        target.userId,
        `the real token fails after fuzzing: ${me.status} ${me.text.slice(0, 300)}`,
      );
      assert.equal(Object.keys(Object.prototype).length, 0, 'Object.prototype polluted');
      assert.equal(({} as Record<string, unknown>).admin, undefined, 'Object.prototype polluted');
    }

    async function signIn(): Promise<string> {
      const login = await call(gh.url, RelLoginDocument, { input: { email: target.email, password: target.password } });
      assert.equal(login.data?.login?.user.id, target.userId, `the real login fails: ${login.code}`);
      return login.data!.login!.accessToken!;
    }

    const budget = { timeout: 300_000 };
    it(
      'login variables: only the real email (any accepted spelling) with the exact password signs in; never 5xx, never a stack',
      budget,
      async () => {
        await stillServing(await fuzzLogin(target, runs.mutations), 'login');
      },
    );
    it('register variables: never the existing account, only well-formed strings create users', budget, async () => {
      await stillServing(await fuzzRegister(target, runs.mutations), 'register');
    });
    it('loginAnonymous variables: only ANONYMOUS users, one per device id', budget, async () => {
      await stillServing(await fuzzLoginAnonymous(target, runs.mutations), 'loginAnonymous');
    });
    it('refresh variables: mutated and foreign tokens rotate nothing', budget, async () => {
      await stillServing(await fuzzRefresh(target, runs.mutations), 'refresh');
    });
    it(
      'JWT headers, claims and signatures as Bearer to `me`: nothing but the real token authenticates',
      budget,
      async () => {
        accessToken = await signIn();
        const jwks = (await (await fetch(`${gh.origin}/.well-known/jwks.json`)).json()) as {
          keys: Record<string, unknown>[];
        };
        const report = await fuzzAccessTokens(
          { url: gh.url, jwks, token: accessToken, userId: target.userId, otherUserId },
          runs.tokens,
        );
        assert.ok(!report.outcomes.has('AUTHENTICATED'));
        await stillServing(report, 'access tokens');
      },
    );
    it('raw request bodies and content types: never a 5xx', budget, async () => {
      await stillServing(await fuzzRawBodies(gh.url, runs.bodies), 'raw bodies');
    });
  });
}
