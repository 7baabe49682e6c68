import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import semver from 'semver';
import { supportedNodeRange } from '../../src/cli/node-version.js';
import { projectRoot } from '../../src/paths.js';

const run = promisify(execFile);
const root = projectRoot();
// This test's own Node first, so npm, npx and the installed bin run on a supported Node.
const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` };
delete env.GATEHOUSE_NODE;
// A new user's shell: none of the npm_* settings of an enclosing `npm exec --package=…` (CI's second
// run), which would make the npx below try to install that package into the empty folder.
for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];

describe('the npm package', () => {
  let work: string;
  let files: string[];

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'gatehouse-pack-'));
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, env });
    const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(info);
    files = info.files.map((f) => f.path);
    await writeFile(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', join(work, info.filename)],
      { cwd: work, env, timeout: 240_000 },
    );
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('ships the build, the CLI, the schema, the docs and the README', () => {
    for (const f of [
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/bin.js',
      'bin/gatehouse',
      'schema.graphql',
      'README.md',
      'docs/contract.md',
      'docs/configuration.md',
      'manifest.example.json',
      'src/authz/default.polar',
    ]) {
      assert.ok(files.includes(f), `${f} missing from the tarball`);
    }
  });

  it('ships no tests, benchmarks, results, TypeScript sources or test source maps', () => {
    const unwanted = files.filter(
      (f) =>
        /^(dist\/)?(test|bench|examples)\//.test(f) ||
        /\.test\.(js|ts|js\.map)$/.test(f) ||
        (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) ||
        f.startsWith('.') ||
        f.includes('/.gatehouse/'),
    );
    assert.deepEqual(unwanted, []);
  });

  it('imports as a consumer would: `gatehouse` and `gatehouse/plugin` (which loads no server)', async () => {
    const probe = join(work, 'probe.mjs');
    await writeFile(
      probe,
      [
        "import { registerHooks } from 'node:module';",
        'const loaded = [];',
        'registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });',
        "const plugin = await import('gatehouse/plugin');",
        'const server = loaded.filter((u) => /graphql-yoga\\/esm\\/server|@pothos|dist\\/src\\/(flows|http|gatehouse\\.js)/.test(u));',
        "const full = await import('gatehouse');",
        'console.log(JSON.stringify({',
        '  plugin: Object.keys(plugin).sort(),',
        '  same: plugin.useGatehouse === full.useGatehouse && plugin.GATEHOUSE_DIRECTIVES_SDL === full.GATEHOUSE_DIRECTIVES_SDL,',
        "  full: ['createGatehouse', 'useGatehouse', 'verifyGatewaySignature'].every((k) => typeof full[k] === 'function'),",
        '  server,',
        '}));',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, [probe], { cwd: work, env });
    const seen = JSON.parse(stdout) as { plugin: string[]; same: boolean; full: boolean; server: string[] };
    assert.deepEqual(seen.plugin, ['GATEHOUSE_DIRECTIVES_SDL', 'useGatehouse']);
    assert.equal(seen.same, true, 'one implementation behind both entries');
    assert.equal(seen.full, true);
    assert.deepEqual(seen.server, [], 'gatehouse/plugin loaded part of the server');
    assert.ok(files.includes('dist/src/plugin.js') && files.includes('dist/src/plugin.d.ts'));
  });

  it('`npx gatehouse --help` works from the tarball installed into an empty folder', async () => {
    const { stdout } = await run('npx', ['--no-install', 'gatehouse', '--help'], { cwd: work, env });
    for (const cmd of ['serve', 'validate', 'schema', 'user', 'role', 'keys'])
      assert.match(stdout, new RegExp(`\\b${cmd}\\b`));
    const { stdout: version } = await run('npx', ['--no-install', 'gatehouse', '--version'], { cwd: work, env });
    assert.match(version.trim(), /^\d+\.\d+\.\d+$/);
  });

  it('an installed gatehouse on an unsupported Node says so in one line', async (t) => {
    // The machine's own Node when it is older than the supported range (as on Node 20 machines).
    const onPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'node'));
    let old: string | undefined;
    for (const bin of onPath.filter((b) => existsSync(b) && !b.includes('node_modules'))) {
      const v = (await run(bin, ['--version'])).stdout.trim();
      if (!semver.satisfies(v, supportedNodeRange())) old = bin;
    }
    if (!old) return t.skip('no unsupported Node on this machine');
    const cli = join(work, 'node_modules', 'gatehouse', 'bin', 'gatehouse');
    const failed = await run(cli, ['--help'], { cwd: work, env: { ...env, GATEHOUSE_NODE: old } }).then(
      () => assert.fail('an unsupported Node ran the CLI'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(failed.code, 1);
    const lines = failed.stderr.trim().split('\n');
    assert.equal(lines.length, 1, failed.stderr);
    assert.match(lines[0] ?? '', /Node\.js v\d+\.\d+\.\d+ is not supported; use Node\.js /);
  });
});
