import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, instance } from './helpers.js';
import { providerSuite } from './provider-suite.js';

providerSuite('oso');

describe('oso: the policy file decides', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-polar-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('loads policy_file relative to the working directory; pairs nobody announced are denied until hinted', async () => {
    const path = join(dir, 'custom.polar');
    await writeFile(
      path,
      [
        'allow(_actor: User, "read", "public");',
        'allow(actor: User, _action, _resource) if "root" in actor.roles;',
        'allow(actor: User, action, resource) if role in actor.roles and role_permission(role, resource, action);',
      ].join('\n'),
    );
    const i = await instance({
      provider: 'oso',
      authorization: { policy_file: relative(process.cwd(), path) },
      pollMs: 100,
    });
    try {
      await i.authz.grantRole('alpha', 'boss', 'root');
      await i.authz.addPolicy('alpha', 'keeper', 'vault', 'open');
      await i.authz.grantRole('alpha', 'k', 'keeper');
      assert.equal(i.authz.can('alpha', 'boss', 'vault', 'open'), true, 'pair known from the stored rows');
      assert.equal(i.authz.can('alpha', 'k', 'vault', 'open'), true);
      assert.equal(i.authz.can('alpha', 'k', 'vault', 'close'), false);
      assert.equal(i.authz.can('alpha', 'anyone', 'public', 'read'), false, 'an unknown pair fails closed');
      i.hints.add({ resource: 'public', action: 'read' });
      const ms = await eventually(() => i.authz.can('alpha', 'anyone', 'public', 'read'), 2000, 'hinted pair');
      assert.ok(ms < 2000);
      assert.equal(i.authz.can('alpha', 'anyone', 'public', 'write'), false);
      assert.deepEqual(i.authz.permissionsFor('alpha', 'anyone'), [{ resource: 'public', action: 'read' }]);
    } finally {
      await i.close();
    }
  });

  it('refuses to start on a policy that does not parse, or a missing file', async () => {
    const bad = join(dir, 'bad.polar');
    await writeFile(bad, 'allow(actor, action');
    for (const policy_file of [bad, join(dir, 'missing.polar')]) {
      const i = await instance({ provider: 'oso', authorization: { policy_file }, start: false });
      try {
        await assert.rejects(i.authz.start());
        assert.equal(i.authz.ready(), false);
        assert.equal(i.authz.can('alpha', 'u1', 'docs', 'read'), false);
      } finally {
        await i.close();
      }
    }
  });
});
