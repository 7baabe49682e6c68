/** `npm run docs:write`: refreshes the generated blocks of docs/contract.md and rewrites docs/configuration.md. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildProgram } from '../cli/index.js';
import { configurationReference } from '../config/index.js';
import { projectRoot } from '../paths.js';
import { fillGeneratedBlocks } from './blocks.js';
import { contractSources } from './contract.js';

const docs = join(projectRoot(), 'docs');
const contractPath = join(docs, 'contract.md');
const current = await readFile(contractPath, 'utf8');
await writeFile(contractPath, fillGeneratedBlocks(current, contractSources(await buildProgram())));
await writeFile(join(docs, 'configuration.md'), configurationReference());
process.stdout.write('wrote docs/contract.md and docs/configuration.md\n');
