import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphQLError } from 'graphql';
import { MongoNetworkError, MongoServerError } from 'mongodb';
import { createMaskError, isDatabaseUnavailable } from '../../src/graphql/mask.js';

const socketError = (code: string) =>
  Object.assign(new Error('This socket has been ended by the other party'), { code });
const wrapped = (err: Error) => new GraphQLError('resolver failed', { path: ['refresh'], originalError: err });

describe('error masking', () => {
  it('a database that just died answers SERVICE_UNAVAILABLE, also when the driver lets a raw socket error through', () => {
    // Found by the kill -9 reliability test: a write to a socket the killed server had closed
    // surfaced as a plain EPIPE Error, and the caller got INTERNAL_SERVER_ERROR.
    for (const err of [socketError('EPIPE'), socketError('ECONNRESET'), new MongoNetworkError('closed')]) {
      assert.equal(isDatabaseUnavailable(err), true, String((err as NodeJS.ErrnoException).code ?? err.name));
      const unexpected: unknown[] = [];
      const masked = createMaskError((e) => unexpected.push(e))(wrapped(err)) as GraphQLError;
      assert.equal(masked.extensions.code, 'SERVICE_UNAVAILABLE');
      assert.deepEqual(unexpected, []);
    }
  });

  it('anything else stays an unexpected error: a bare INTERNAL_SERVER_ERROR, logged, no message or stack', () => {
    for (const err of [
      new Error('boom'),
      socketError('EACCES'),
      new MongoServerError({ message: 'E11000 dup', code: 11000 }),
    ]) {
      assert.equal(isDatabaseUnavailable(err), false);
      const unexpected: unknown[] = [];
      const masked = createMaskError((e) => unexpected.push(e))(wrapped(err)) as GraphQLError;
      assert.equal(masked.extensions.code, 'INTERNAL_SERVER_ERROR');
      assert.equal(masked.message, 'Unexpected error.');
      assert.deepEqual(unexpected, [err]);
    }
  });
});
