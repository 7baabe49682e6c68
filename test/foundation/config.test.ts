import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readEnv, resolveManifest, secretWeakness, validateManifest } from '../../src/config/index.js';
import { formatPath } from '../../src/config/validate.js';

describe('manifest validation', () => {
  it('formats JSON paths with dots and brackets', () => {
    assert.equal(formatPath(['apps', 0, 'auth', 'tokens', 'access_ttl']), 'apps[0].auth.tokens.access_ttl');
    assert.equal(formatPath([]), '(root)');
  });

  it('reports every mistake with its own path', () => {
    const r = validateManifest({
      apps: [
        { slug: 'ok', auth: { tokens: { access_ttl: -5 } } },
        { slug: 'Bad Slug', auth: { cookies: { same_site: 'sideways' } } },
      ],
    });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.errors.length, 3, r.errors.join('\n'));
    assert.match(r.errors[0]!, /^apps\[0\]\.auth\.tokens\.access_ttl: /);
    assert.match(r.errors[1]!, /^apps\[1\]\.slug: /);
    assert.match(r.errors[2]!, /^apps\[1\]\.auth\.cookies\.same_site: /);
  });

  it('accepts an mdb-engine single-app manifest unchanged, ignoring keys it does not use', () => {
    const r = validateManifest({
      slug: 'store',
      name: 'Store',
      auth: {
        policy: {
          provider: 'casbin',
          required: true,
          allow_anonymous: false,
          authorization: {
            model: 'rbac',
            policies_collection: 'casbin_policies',
            link_users_roles: true,
            default_roles: ['user'],
            initial_roles: [{ user: 'a@b.c', role: 'admin', resource: 'store' }],
          },
        },
        users: { enabled: true, strategy: 'app_users', demo_users: [{ email: 'd@b.c', password: 'x', role: 'admin' }] },
        some_future_engine_key: { anything: true },
      },
      managed_indexes: {},
    });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    const m = resolveManifest(r.manifest, readEnv({}).defaults);
    assert.equal(m.apps.length, 1);
    const app = m.apps[0]!;
    assert.equal(app.slug, 'store');
    assert.deepEqual(app.users.demoUsers[0]!.roles, ['admin']);
    assert.deepEqual(app.policy.initialRoles, [{ user: 'a@b.c', role: 'admin' }]);
    assert.equal(app.users.allowRegistration, false);
    assert.equal(app.policy.allowAnonymous, false);
    assert.equal(app.tokens.refreshGraceSeconds, 10);
  });

  it('accepts same_site in any case and downstream at the top of the single-app form', () => {
    const r = validateManifest({
      slug: 'a',
      auth: { cookies: { same_site: 'STRICT' } },
      downstream: [{ name: 'orders', url: 'http://127.0.0.1:9/graphql' }],
    });
    assert.ok(r.ok);
    const m = resolveManifest(r.manifest, readEnv({}).defaults);
    assert.equal(m.apps[0]!.cookies.sameSite, 'strict');
    assert.deepEqual(m.downstream, [{ name: 'orders', url: 'http://127.0.0.1:9/graphql' }]);
  });

  it('rejects duplicate slugs and an empty apps list', () => {
    const dup = validateManifest({ apps: [{ slug: 'a' }, { slug: 'a' }] });
    assert.ok(!dup.ok && dup.errors.some((e) => e.startsWith('apps[1].slug: ')));
    const none = validateManifest({ apps: [] });
    assert.ok(!none.ok && none.errors.some((e) => e.startsWith('apps: ')));
  });
});

describe('environment', () => {
  it('lets mdb-engine env names set defaults that the manifest still overrides', () => {
    const env = readEnv({ ACCESS_TOKEN_TTL: '120', MAX_SESSIONS_PER_USER: '3', FLASK_SECRET_KEY: 's' });
    assert.equal(env.secret, 's');
    const r = validateManifest({ apps: [{ slug: 'a' }, { slug: 'b', auth: { tokens: { access_ttl: 1 } } }] });
    assert.ok(r.ok);
    const m = resolveManifest(r.manifest, env.defaults);
    assert.equal(m.apps[0]!.tokens.accessTtl, 120);
    assert.equal(m.apps[0]!.sessions.maxPerUser, 3);
    assert.equal(m.apps[1]!.tokens.accessTtl, 1);
  });

  it('rejects malformed numbers with the variable name', () => {
    assert.throws(() => readEnv({ PORT: 'abc' }), /PORT/);
  });

  it('judges secrets', () => {
    assert.match(secretWeakness('short') ?? '', /shorter/);
    assert.match(secretWeakness('a'.repeat(40)) ?? '', /distinct/);
    assert.equal(secretWeakness('k3J9x-Qm2Lp8Zr4Tv6Wn1Yb5Hc7Df0Gs'), undefined);
  });
});

describe('configuration reference', () => {
  it('documents every manifest key, and docs/configuration.md is the generated text', async () => {
    const { manifestLeaves, MANIFEST_KEYS, configurationReference } = await import('../../src/config/reference.js');
    const leaves = manifestLeaves()
      .map(([p]) => p)
      .sort();
    assert.deepEqual(leaves, Object.keys(MANIFEST_KEYS).sort());
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { projectRoot } = await import('../../src/paths.js');
    const file = await readFile(join(projectRoot(), 'docs', 'configuration.md'), 'utf8');
    assert.equal(file, configurationReference(), 'run ./bin/gatehouse config-reference > docs/configuration.md');
  });
});
