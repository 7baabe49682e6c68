import { nodeVersionProblem, supportedNodeRange } from './node-version.js';

// Checked before anything else loads, so an old Node gets one clear line, not a crash deep in a dependency.
const problem = nodeVersionProblem(process.version, supportedNodeRange());
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
const { main } = await import('./main.js');
await main();
