import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/observability/index.js';

/** The value of one sample line (`name{labels} value`) in Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createMetrics', () => {
  it('exposes every counter and gauge after they move', async () => {
    const m = createMetrics();
    m.login('a', 'success');
    m.login('a', 'success');
    m.login('a', 'failure');
    m.refresh('a', 'rotated');
    m.refresh('a', 'theft');
    m.rateLimited('a', 'login_ip');
    m.tokenCache(true);
    m.tokenCache(true);
    m.tokenCache(true);
    m.tokenCache(false);
    m.databaseError();
    m.revocationLag(1500);
    m.policyRevision(7);
    m.auditDropped(3);
    const text = await m.registry.metrics();
    assert.equal(sample(text, 'gatehouse_login_total{app="a",outcome="success"}'), 2);
    assert.equal(sample(text, 'gatehouse_login_total{app="a",outcome="failure"}'), 1);
    assert.equal(sample(text, 'gatehouse_refresh_total{app="a",outcome="rotated"}'), 1);
    assert.equal(sample(text, 'gatehouse_refresh_total{app="a",outcome="theft"}'), 1);
    assert.equal(sample(text, 'gatehouse_rate_limited_total{app="a",kind="login_ip"}'), 1);
    assert.equal(sample(text, 'gatehouse_token_cache_total{result="hit"}'), 3);
    assert.equal(sample(text, 'gatehouse_token_cache_total{result="miss"}'), 1);
    assert.equal(sample(text, 'gatehouse_token_cache_hit_ratio'), 0.75);
    assert.equal(sample(text, 'gatehouse_db_errors_total'), 1);
    assert.equal(sample(text, 'gatehouse_revocation_feed_lag_seconds'), 1.5);
    assert.equal(sample(text, 'gatehouse_policy_revision'), 7);
    assert.equal(sample(text, 'gatehouse_audit_dropped_total'), 3);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m, 'event-loop lag comes with the default metrics');
    assert.match(text, /^process_cpu_user_seconds_total /m);
  });

  it('keeps instances apart (own registry each) and honours prefix and collectDefault', async () => {
    const a = createMetrics({ collectDefault: false });
    const b = createMetrics({ prefix: 'edge_', collectDefault: false });
    a.databaseError();
    const textA = await a.registry.metrics();
    const textB = await b.registry.metrics();
    assert.equal(sample(textA, 'gatehouse_db_errors_total'), 1);
    assert.equal(sample(textB, 'edge_db_errors_total'), 0);
    assert.doesNotMatch(textB, /gatehouse_/);
    assert.doesNotMatch(textA, /nodejs_/);
    assert.equal(sample(textA, 'gatehouse_token_cache_hit_ratio'), 0, 'no lookups yet: ratio 0, not NaN');
  });

  it('labels operations by name, bounded: extra and malformed names share "other"', async () => {
    const m = createMetrics({ collectDefault: false, maxOperations: 2 });
    assert.equal(m.graphqlOperation('Me'), m.graphqlOperation('Me'), 'handles are cached');
    m.graphqlOperation('Me').observe(true, 0.004);
    m.graphqlOperation('Me').observe(false, 0.02);
    m.graphqlOperation('Sessions').observe(true, 0.001);
    m.graphqlOperation('Third').observe(true, 0.001); // past the bound
    m.graphqlOperation('no spaces allowed').observe(true, 0.001);
    m.graphqlOperation('x'.repeat(101)).observe(true, 0.001);
    const text = await m.registry.metrics();
    assert.equal(sample(text, 'gatehouse_graphql_requests_total{operation="Me",outcome="ok"}'), 1);
    assert.equal(sample(text, 'gatehouse_graphql_requests_total{operation="Me",outcome="error"}'), 1);
    assert.equal(sample(text, 'gatehouse_graphql_requests_total{operation="Sessions",outcome="ok"}'), 1);
    assert.equal(sample(text, 'gatehouse_graphql_requests_total{operation="other",outcome="ok"}'), 3);
    assert.doesNotMatch(text, /Third|no spaces|xxxx/);
    assert.equal(sample(text, 'gatehouse_graphql_request_duration_seconds_count{operation="Me"}'), 2);
    assert.equal(sample(text, 'gatehouse_graphql_request_duration_seconds_bucket{le="0.005",operation="Me"}'), 1);
    assert.equal(sample(text, 'gatehouse_graphql_request_duration_seconds_sum{operation="Me"}'), 0.024);
  });
});
