import type { Command } from 'commander';
import { ALGORITHMS, type AppConfig, loadSecret, readEnv, type SigningAlgorithm } from '../config/index.js';
import { checkName, initialRolesOf, rolesForNewUser } from '../flows/index.js';
import type { Services } from '../services.js';
import { exportGatewayKey } from '../vocabulary/index.js';
import { readStdin, stateDir, withServices } from './services.js';

const collect = (v: string, prev: string[]) => [...prev, v];

function appOf(s: Services, slug: string): AppConfig {
  const app = s.app(slug);
  if (!app)
    throw new Error(`no app "${slug}" in the manifest (apps: ${s.manifest.apps.map((a) => a.slug).join(', ')})`);
  return app;
}

async function userByEmail(s: Services, app: AppConfig, email: string) {
  const user = await s.identity.findByEmail(app.slug, email);
  if (!user) throw new Error(`no user ${email} in app "${app.slug}"`);
  return user;
}

/** `user create`, `role grant|revoke`, `keys list|rotate`: admin commands on the live database. */
export function addAdminCommands(program: Command): void {
  const user = program.command('user').description('manage users');
  user
    .command('create')
    .description('create a password user; the password is read from standard input, never from arguments')
    .requiredOption('--app <slug>', 'app slug')
    .requiredOption('--email <email>', 'email address')
    .option('--role <role>', 'role to grant (repeatable)', collect, [] as string[])
    .option('--manifest <file>', 'manifest file (env GATEHOUSE_MANIFEST, default ./manifest.json)')
    .action(async (o: { app: string; email: string; role: string[]; manifest?: string }) => {
      const password = await readStdin();
      for (const r of o.role) checkName('role', r);
      await withServices(o.manifest, async (s) => {
        const app = appOf(s, o.app);
        const created = await s.identity.createUser(app, { email: o.email, password });
        await s.flows.grantRoles(app, created.id, [
          ...rolesForNewUser(app, created, o.role),
          ...initialRolesOf(app, created),
        ]);
        process.stdout.write(`created user ${created.id} <${created.email}> in ${app.slug}\n`);
      });
    });

  const role = program.command('role').description("change a user's roles");
  for (const verb of ['grant', 'revoke'] as const) {
    role
      .command(verb)
      .description(`${verb} a role`)
      .requiredOption('--app <slug>', 'app slug')
      .requiredOption('--email <email>', 'email address')
      .requiredOption('--role <role>', 'role name')
      .option('--manifest <file>', 'manifest file')
      .action(async (o: { app: string; email: string; role: string; manifest?: string }) => {
        checkName('role', o.role);
        await withServices(o.manifest, async (s) => {
          const app = appOf(s, o.app);
          const u = await userByEmail(s, app, o.email);
          const authz = s.authz(app.slug);
          if (verb === 'grant') await authz.grantRole(app.slug, u.id, o.role);
          else await authz.revokeRole(app.slug, u.id, o.role);
          s.audit.record({
            app: app.slug,
            type: verb === 'grant' ? 'role_granted' : 'role_revoked',
            outcome: 'success',
            userId: u.id,
            details: { role: o.role, by: 'cli' },
          });
          process.stdout.write(
            `${verb === 'grant' ? 'granted' : 'revoked'} ${o.role} ${verb === 'grant' ? 'to' : 'from'} ${o.email} in ${app.slug}\n`,
          );
        });
      });
  }

  const keys = program.command('keys').description('signing keys');
  keys
    .command('list')
    .description('list signing keys (active and retiring)')
    .option('--manifest <file>', 'manifest file')
    .action(async (o: { manifest?: string }) => {
      await withServices(o.manifest, async (s) => {
        for (const k of await s.tokens.list()) {
          process.stdout.write(
            `${k.kid}\t${k.alg}\t${k.state}\t${k.createdAt.toISOString()}\t${k.retireAt?.toISOString() ?? '-'}\n`,
          );
        }
      });
    });
  keys
    .command('gateway')
    .description(
      "print the key a downstream service uses to verify Gatehouse's X-Gatehouse-Signature (verifyGatewaySignature)",
    )
    .argument('<service>', 'the downstream name from the manifest')
    .action(async (service: string) => {
      const env = readEnv();
      const secret = await loadSecret({ secret: env.secret, production: env.production, stateDir: stateDir() });
      process.stdout.write(`${exportGatewayKey(secret, service)}\n`);
    });
  keys
    .command('rotate')
    .description('make a new active key; the old one stays published until its last token expires')
    .option('--alg <alg>', `only this algorithm (${ALGORITHMS.join(', ')})`)
    .option('--manifest <file>', 'manifest file')
    .action(async (o: { alg?: string; manifest?: string }) => {
      if (o.alg && !ALGORITHMS.includes(o.alg as SigningAlgorithm))
        throw new Error(`--alg must be one of ${ALGORITHMS.join(', ')}`);
      await withServices(o.manifest, async (s) => {
        const made = await s.tokens.rotate(o.alg as SigningAlgorithm | undefined);
        for (const app of s.manifest.apps)
          s.audit.record({ app: app.slug, type: 'key_rotated', outcome: 'success', details: { by: 'cli' } });
        for (const k of made) process.stdout.write(`${k.kid}\t${k.alg}\t${k.state}\n`);
      });
    });
}
