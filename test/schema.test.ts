import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { getDirectiveExtensions } from '@graphql-tools/utils';
import type { GraphQLObjectType } from 'graphql';
import { printSdl } from '../src/graphql/print.js';
import { PUBLIC_ROOT_FIELDS } from '../src/graphql/public-fields.js';
import { gatehouseSchema } from '../src/graphql/schema.js';
import { projectRoot } from '../src/paths.js';

const run = promisify(execFile);

describe('schema artefacts', () => {
  it('schema.graphql matches the Pothos schema (run `npm run schema:write` after changing it)', async () => {
    const file = await readFile(join(projectRoot(), 'schema.graphql'), 'utf8');
    assert.equal(printSdl(gatehouseSchema()), file);
  });

  it('typed documents are up to date with schema.graphql and test/operations (run `npm run codegen`)', async () => {
    const codegen = join(projectRoot(), 'node_modules', '.bin', 'graphql-codegen');
    await run(codegen, ['--config', 'codegen.ts', '--check'], { cwd: projectRoot() }).catch((e: { stdout: string }) =>
      assert.fail(`generated documents drifted:\n${e.stdout}`),
    );
  });

  it('every root field carries @auth or @permission, or is on the reviewed public list', () => {
    const schema = gatehouseSchema();
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
      (t): t is GraphQLObjectType => Boolean(t),
    );
    const unguarded: string[] = [];
    for (const type of roots) {
      for (const field of Object.values(type.getFields())) {
        const d = getDirectiveExtensions(field, schema);
        const guarded = Boolean(d?.auth?.length || d?.permission?.length);
        const coord = `${type.name}.${field.name}`;
        if (!guarded && !PUBLIC_ROOT_FIELDS.has(coord)) unguarded.push(coord);
      }
    }
    assert.deepEqual(unguarded, []);
  });
});
