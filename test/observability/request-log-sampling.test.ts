import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSchema, createYoga } from 'graphql-yoga';
import { captureLogs, useRequestLog } from '../../src/observability/index.js';
import { isoTime } from '../../src/observability/logger.js';

const schema = createSchema({
  typeDefs: 'type Query { hello: String! boom: String }',
  resolvers: {
    Query: {
      hello: () => 'world',
      boom: () => {
        throw new Error('kaboom');
      },
    },
  },
});

const ask = (yoga: ReturnType<typeof createYoga>, query: string) =>
  yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });

describe('request log: timestamp and sampling', () => {
  it('formats the time as pino.stdTimeFunctions.isoTime does', () => {
    for (let i = 0; i < 50; i++) {
      const before = Date.now();
      const fragment = isoTime();
      const after = Date.now();
      const m = /^,"time":"(.+)"$/.exec(fragment);
      assert.ok(m, fragment);
      const at = Date.parse(m[1]!);
      assert.equal(new Date(at).toISOString(), m[1], 'the exact toISOString form');
      assert.ok(at >= before && at <= after, `${m[1]} within [${before}, ${after}]`);
    }
  });

  it('writes every line by default, and with a sample still every error', async () => {
    const all = captureLogs('info');
    const full = createYoga({ schema, logging: false, plugins: [useRequestLog(all.logger)] });
    for (let i = 0; i < 20; i++) await (await ask(full, '{ hello }')).text();
    assert.equal(all.lines().filter((l) => l.msg === 'request').length, 20);

    const few = captureLogs('info');
    const sampled = createYoga({ schema, logging: false, plugins: [useRequestLog(few.logger, { sample: 1e-9 })] });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await ask(sampled, '{ hello }');
      ids.push(res.headers.get('x-request-id') ?? '');
      await res.text();
    }
    const failed = await ask(sampled, 'query Boom { boom }');
    await failed.text();
    const lines = few.lines().filter((l) => l.msg === 'request');
    assert.ok(ids.every(Boolean), 'every response still carries its request id');
    assert.deepEqual(
      lines.map((l) => [l.operation, l.errors]),
      [['Boom', 1]],
      'ordinary lines sampled out, the error kept',
    );
    assert.equal(lines[0]!.reqId, failed.headers.get('x-request-id'));
  });
});
