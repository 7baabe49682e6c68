import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import {
  ConfigError,
  configurationReference,
  ManifestError,
  manifestWarnings,
  readManifestFile,
} from '../config/index.js';
import { gatehouseSchema, printSdl } from '../graphql/index.js';
import { addAdminCommands } from './admin.js';
import { serve } from './serve.js';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number');
  return n;
};

const workers = (v: string): number | 'auto' => {
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new InvalidArgumentError("must be a number from 1 to 64, or 'auto'");
  return n;
};

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The CLI's commands, unparsed: `main` runs them, docs/contract.md's CLI table is generated from them. */
export async function buildProgram(): Promise<Command> {
  const program = new Command('gatehouse')
    .description('GraphQL auth gateway: identity, sessions, tokens and @auth/@permission on MongoDB')
    .version(await version())
    .showHelpAfterError();

  program
    .command('serve')
    .description('run the gateway (embedded local database unless MONGODB_URI is set)')
    .option('--port <n>', 'port to listen on (env PORT, default 4000)', port)
    .option('--host <h>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('--manifest <file>', 'manifest file (env GATEHOUSE_MANIFEST, default ./manifest.json)')
    .option('--workers <n>', "processes serving the port (node:cluster); 'auto' = one per core", workers, 1)
    .action((opts) => serve(opts));

  program
    .command('validate')
    .description('check a manifest; prints one line per error, `<path>: <message>`, and exits 1 if any')
    .argument('<manifest>', 'manifest file')
    .action(async (file: string) => {
      try {
        const warnings = manifestWarnings(await readManifestFile(file));
        if (warnings.length) process.stderr.write(`${warnings.map((w) => `warning: ${w}`).join('\n')}\n`);
        process.stdout.write(`${file}: valid\n`);
      } catch (err) {
        if (!(err instanceof ManifestError)) throw err;
        process.stderr.write(`${err.errors.join('\n')}\n`);
        process.exitCode = 1;
      }
    });

  program
    .command('schema')
    .description('print the GraphQL SDL (identical to schema.graphql)')
    .action(() => {
      process.stdout.write(printSdl(gatehouseSchema()));
    });

  program
    .command('config-reference')
    .description('print the configuration reference (docs/configuration.md) generated from the manifest schema')
    .action(() => {
      process.stdout.write(configurationReference());
    });

  addAdminCommands(program);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gatehouse: ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`gatehouse: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
