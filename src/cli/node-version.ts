import { readFileSync } from 'node:fs';
import semver from 'semver';

/** The `engines.node` range of our package.json: the one place the supported Node lines are written. */
export function supportedNodeRange(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    engines: { node: string };
  };
  return pkg.engines.node;
}

/** One line saying why this Node cannot run Gatehouse, or undefined when it can. */
export function nodeVersionProblem(version: string, range: string): string | undefined {
  if (semver.satisfies(version, range)) return undefined;
  return `gatehouse: Node.js ${version} is not supported; use Node.js ${range} (the current LTS lines 22 and 24)`;
}
