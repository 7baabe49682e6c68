import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CENSOR, captureLogs, redactSecrets } from '../../src/observability/index.js';

describe('redactSecrets', () => {
  it('censors secret-named keys at any depth and in any case, in arrays too', () => {
    const input = {
      user: 'u1',
      password: 'p',
      input: { newPassword: 'n', profile: { Authorization: 'Bearer t', list: [{ refreshToken: 'r' }, 'plain'] } },
      headers: { cookie: 'c', 'X-CSRF-Token': 'x', accept: '*/*' },
      variables: { anything: 1 },
    };
    assert.deepEqual(redactSecrets(input), {
      user: 'u1',
      password: CENSOR,
      input: { newPassword: CENSOR, profile: { Authorization: CENSOR, list: [{ refreshToken: CENSOR }, 'plain'] } },
      headers: { cookie: CENSOR, 'X-CSRF-Token': CENSOR, accept: '*/*' },
      variables: CENSOR,
    });
    assert.equal(input.password, 'p', 'the logged object itself is not modified');
  });

  it('returns a clean object unchanged (no copy) and leaves errors and dates to the serializers', () => {
    const clean = { reqId: 'a', status: 200, nested: { ok: true }, at: new Date(0) };
    assert.equal(redactSecrets(clean), clean);
    const err = Object.assign(new Error('boom'), { code: 1 });
    assert.equal(redactSecrets({ err }).err, err);
  });

  it('cuts objects nested deeper than it walks, instead of risking them', () => {
    let deep: Record<string, unknown> = { password: 'deep-secret' };
    for (let i = 0; i < 12; i++) deep = { next: deep };
    assert.doesNotMatch(JSON.stringify(redactSecrets(deep)), /deep-secret/);
  });

  it('applies to log lines and child bindings', () => {
    const logs = captureLogs('info');
    logs.logger.child({ token: 'child-secret' }).info({ body: { password: 'line-secret' } }, 'hello');
    const text = logs.text();
    assert.doesNotMatch(text, /child-secret|line-secret/);
    assert.equal(logs.lines()[0]!.msg, 'hello');
  });
});
