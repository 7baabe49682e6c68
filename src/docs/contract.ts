import type { Command, Option } from 'commander';
import { envVarsTable, manifestKeysTable } from '../config/index.js';
import { gatehouseSchema, printSdl } from '../graphql/index.js';
import { ERROR_CODES } from '../vocabulary/index.js';
import type { BlockSources } from './blocks.js';

function optionUsage(o: Option): string {
  return o.mandatory ? o.flags : `[${o.flags}]`;
}

function commandRows(cmd: Command, prefix: string): string[] {
  const rows: string[] = [];
  for (const sub of cmd.commands) {
    const path = `${prefix} ${sub.name()}`.trim();
    if (sub.commands.length) {
      rows.push(...commandRows(sub, path));
      continue;
    }
    const args = sub.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`));
    const usage = [path, ...args, ...sub.options.map(optionUsage)].join(' ');
    rows.push(`| \`${usage.replaceAll('|', '\\|')}\` | ${sub.description()} |`);
  }
  return rows;
}

/** The generated parts of docs/contract.md, each from the source the code itself runs on. */
export function contractSources(program: Command): BlockSources {
  return {
    graphql: () => ['```graphql', printSdl(gatehouseSchema()).trimEnd(), '```'].join('\n'),
    'error-codes': () =>
      [
        '| code | meaning | extensions |',
        '|---|---|---|',
        ...Object.entries(ERROR_CODES).map(([code, e]) => `| \`${code}\` | ${e.meaning} | ${e.extensions ?? '—'} |`),
      ].join('\n'),
    cli: () => ['| command | does |', '|---|---|', ...commandRows(program, '')].join('\n'),
    env: () => envVarsTable().join('\n'),
    'manifest-keys': () => manifestKeysTable().join('\n'),
  };
}
