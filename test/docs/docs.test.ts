import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { remark } from 'remark';
import remarkValidateLinks from 'remark-validate-links';
import { buildProgram } from '../../src/cli/main.js';
import { contractSources, fillGeneratedBlocks } from '../../src/docs/index.js';
import { projectRoot } from '../../src/paths.js';

const root = projectRoot();

async function markdownFiles(): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (['node_modules', 'dist', '.git', '.gatehouse', 'test-artifacts'].includes(e.name)) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.name.endsWith('.md')) found.push(path);
    }
  };
  await walk(root);
  return found.sort();
}

describe('docs/contract.md', () => {
  it('its generated blocks match the code (run `npm run docs:write` after changing the schema, CLI, env or errors)', async () => {
    const file = await readFile(join(root, 'docs', 'contract.md'), 'utf8');
    assert.equal(fillGeneratedBlocks(file, contractSources(await buildProgram())), file);
  });

  it('still names everything the first published contract made binding', async () => {
    const file = await readFile(join(root, 'docs', 'contract.md'), 'utf8');
    // The first contract's names: renaming or dropping one breaks the clients written against it.
    const binding = [
      'listening on http://HOST:PORT/graphql',
      './.gatehouse/',
      'PORT',
      'HOST',
      'MONGODB_URI',
      'MONGODB_DB',
      'GATEHOUSE_MANIFEST',
      'GATEHOUSE_SECRET',
      'NODE_ENV',
      'LOG_LEVEL',
      'ACCESS_TOKEN_TTL',
      'REFRESH_TOKEN_TTL',
      'MAX_SESSIONS_PER_USER',
      'SESSION_INACTIVITY_TIMEOUT',
      'FLASK_SECRET_KEY',
      '`serve',
      '`validate <manifest>`',
      '`schema`',
      '`user create',
      '`role grant',
      '`role revoke',
      '`keys list',
      '`keys rotate',
      'POST /graphql',
      'GET /graphql',
      'GET /.well-known/jwks.json',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'X-Gatehouse-App',
      'Authorization: Bearer',
      'gh_access',
      'gh_refresh',
      'gh_csrf',
      'X-CSRF-Token',
      'X-Content-Type-Options: nosniff',
      'Referrer-Policy',
      'Strict-Transport-Security',
      'typ: at+jwt',
      'EdDSA',
      'UNAUTHENTICATED',
      'FORBIDDEN',
      'BAD_USER_INPUT',
      'RATE_LIMITED',
      'SERVICE_UNAVAILABLE',
      'INTERNAL_SERVER_ERROR',
      '`retryAfter`',
      '`field`',
      '`reasons`',
      'refresh_grace_seconds',
      'X-Gatehouse-User-Id',
      '_service { sdl }',
      'directive @auth(',
      'directive @permission(',
      'login(input: LoginInput!): AuthPayload!',
      'refresh(refreshToken: String): AuthPayload!',
      'logoutAll: Int!',
      'auditEvents(',
      'changePassword(currentPassword: String!, newPassword: String!): Boolean!',
      'loginAnonymous(deviceId: String!)',
    ];
    const missing = binding.filter((name) => !file.includes(name));
    assert.deepEqual(missing, [], 'names of the first contract missing from docs/contract.md');
  });
});

describe('documentation links', () => {
  it('every relative link in the Markdown files resolves, and every #anchor within a file', async () => {
    const files = await markdownFiles();
    assert.ok(files.length >= 5, `found only ${files.length} Markdown files`);
    const broken: string[] = [];
    for (const path of files) {
      const value = await readFile(path, 'utf8');
      const file = await remark().use(remarkValidateLinks, { repository: false, root }).process({ path, value });
      for (const m of file.messages) broken.push(`${relative(root, path)}:${m.line ?? '?'}: ${m.reason}`);
    }
    assert.deepEqual(broken, []);
  });

  it('the README links the interface document, and no source cites a contract file that does not exist', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    assert.match(readme, /\]\(docs\/contract\.md\)/);
    const stale: string[] = [];
    for (const dir of ['src', 'test', 'bench']) {
      for (const e of await readdir(join(root, dir), { recursive: true, withFileTypes: true })) {
        if (!e.isFile() || !e.name.endsWith('.ts')) continue;
        const text = await readFile(join(e.parentPath, e.name), 'utf8');
        if (/(?<!docs\/)CONTRACT\.md/.test(text)) stale.push(relative(root, join(e.parentPath, e.name)));
      }
    }
    assert.deepEqual(stale, [], 'cite docs/contract.md');
  });
});
