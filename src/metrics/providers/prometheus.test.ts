import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MockAgent } from 'undici';
import { NoValuesError } from '../types.ts';
import { MultipleValuesError, PrometheusProvider, extractValue, parseGoFloat } from './prometheus.ts';

const vector = (...values: string[]) => ({
  status: 'success',
  data: { resultType: 'vector', result: values.map(v => ({ metric: {}, value: [1545905245.458, v] })) },
});

interface Seen {
  path: string;
  headers: Record<string, string>;
}

/** A provider whose requests go to an in-process mock; `seen` collects what it sent. */
function mocked(
  options: Partial<ConstructorParameters<typeof PrometheusProvider>[0]>,
  reply: { status?: number; body: unknown },
): { provider: PrometheusProvider; seen: Seen[] } {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const seen: Seen[] = [];
  agent
    .get('http://prom:9090')
    .intercept({ path: () => true, method: 'GET' })
    .reply(request => {
      const headers = Object.entries(request.headers as Record<string, string>);
      seen.push({
        path: request.path,
        headers: Object.fromEntries(headers.map(([k, v]) => [k.toLowerCase(), v])),
      });
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      return { statusCode: reply.status ?? 200, data: body };
    })
    .persist();
  const provider = new PrometheusProvider({ address: 'http://prom:9090', dispatcher: agent, ...options });
  return { provider, seen };
}

describe('PrometheusProvider requests', () => {
  it('GETs /api/v1/query with the whitespace-collapsed query, under the address path', async () => {
    const { provider, seen } = mocked({ address: 'http://prom:9090/prometheus/' }, { body: vector('100') });
    assert.equal(await provider.runQuery('sum(\n\t rate(x[1m])\n)'), 100);
    const url = new URL(seen[0]!.path, 'http://prom:9090');
    assert.equal(url.pathname, '/prometheus/api/v1/query');
    assert.equal(url.searchParams.get('query'), 'sum( rate(x[1m]) )');
  });

  it('sends a bearer token, which wins over basic auth', async () => {
    const { provider, seen } = mocked({ token: 'tok', username: 'u', password: 'p' }, { body: vector('1') });
    await provider.runQuery('up');
    assert.equal(seen[0]!.headers.authorization, 'Bearer tok');
  });

  it('sends basic auth only with both username and password', async () => {
    const basic = mocked({ username: 'user', password: 'pass' }, { body: vector('1') });
    await basic.provider.runQuery('up');
    assert.equal(basic.seen[0]!.headers.authorization, `Basic ${btoa('user:pass')}`);
    const partial = mocked({ username: 'user', password: '' }, { body: vector('1') });
    await partial.provider.runQuery('up');
    assert.equal(partial.seen[0]!.headers.authorization, undefined);
  });

  it('sends the custom headers', async () => {
    const { provider, seen } = mocked({ headers: { 'X-Scope-OrgID': ['tenant1'] } }, { body: vector('1') });
    await provider.runQuery('up');
    assert.equal(seen[0]!.headers['x-scope-orgid'], 'tenant1');
  });

  it('fails on an HTTP error status with the body', async () => {
    const { provider } = mocked({}, { status: 400, body: '{"status":"error","error":"parse error"}' });
    await assert.rejects(
      provider.runQuery('up'),
      /^Error: error response: \{"status":"error","error":"parse error"\}$/,
    );
  });

  it('fails on a body that is not JSON', async () => {
    const { provider } = mocked({}, { body: 'not json' });
    await assert.rejects(provider.runQuery('up'), /error unmarshaling result: .*, 'not json'/);
  });

  it('fails a request that cannot be sent', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const provider = new PrometheusProvider({ address: 'http://prom:9090', dispatcher: agent });
    await assert.rejects(
      provider.runQuery('up'),
      /^Error: request failed: Get "http:\/\/prom:9090\/api\/v1\/query/,
    );
  });

  it('isOnline is true only when vector(1) returns 1', async () => {
    const online = mocked({}, { body: vector('1') });
    assert.equal(await online.provider.isOnline(), true);
    assert.equal(new URL(online.seen[0]!.path, 'http://x').searchParams.get('query'), 'vector(1)');
    assert.equal(await mocked({}, { body: vector('0') }).provider.isOnline(), false);
    assert.equal(await mocked({}, { status: 502, body: '' }).provider.isOnline(), false);
  });
});

describe('PrometheusProvider.fromTemplate', () => {
  const secretRef = { name: 'prom-auth' };

  it('rejects a missing or non-HTTP address', () => {
    assert.throws(
      () => PrometheusProvider.fromTemplate({ type: 'prometheus' }),
      /prometheus address {2}is not a valid URL/,
    );
    assert.throws(
      () => PrometheusProvider.fromTemplate({ type: 'prometheus', address: 'prometheus:9090' }),
      /prometheus address prometheus:9090 is not a valid URL/,
    );
  });

  it('needs a token, or a username and a password, when a secretRef is set', () => {
    const provider = { type: 'prometheus' as const, address: 'http://prom:9090', secretRef };
    assert.ok(PrometheusProvider.fromTemplate(provider, { token: 't' }));
    assert.ok(PrometheusProvider.fromTemplate(provider, { username: 'u', password: 'p' }));
    assert.throws(
      () => PrometheusProvider.fromTemplate(provider, {}),
      /prometheus credentials does not contain a username/,
    );
    assert.throws(
      () => PrometheusProvider.fromTemplate(provider, { username: 'u' }),
      /prometheus credentials does not contain a password/,
    );
  });

  it('ignores credentials without a secretRef', () => {
    assert.ok(PrometheusProvider.fromTemplate({ type: 'prometheus', address: 'http://prom:9090' }, {}));
  });
});

describe('extractValue', () => {
  it('reads a vector sample', () => assert.equal(extractValue(vector('99.5')), 99.5));

  it('takes the last sample of a vector, as Flagger does', () =>
    assert.equal(extractValue(vector('1', '2', '3')), 3));

  it('reads a scalar', () => {
    assert.equal(extractValue({ data: { resultType: 'scalar', result: [1.5, '42'] } }), 42);
  });

  it('reads infinities', () => assert.equal(extractValue(vector('+Inf')), Infinity));

  it('is NoValuesError for an empty result, NaN or a missing data field', () => {
    for (const body of [
      vector(),
      vector('NaN'),
      vector('5', 'NaN'),
      {},
      { data: { resultType: 'scalar', result: [1, 'NaN'] } },
    ]) {
      assert.throws(() => extractValue(body), NoValuesError, JSON.stringify(body));
    }
  });

  it('is MultipleValuesError for a matrix', () => {
    const matrix = {
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: {},
            values: [
              [1, '1'],
              [2, '2'],
            ],
          },
        ],
      },
    };
    assert.throws(() => extractValue(matrix), MultipleValuesError);
    assert.throws(() => extractValue(matrix), /^MultipleValuesError: multiple values returned$/);
  });

  it('rejects a string result and unparseable samples', () => {
    assert.throws(
      () => extractValue({ data: { resultType: 'string', result: 'x' } }),
      /unexpected result type "string"/,
    );
    assert.throws(() => extractValue(vector('abc')), /strconv.ParseFloat: parsing "abc": invalid syntax/);
  });
});

describe('parseGoFloat', () => {
  it('reads what Prometheus writes', () => {
    assert.equal(parseGoFloat('1.5e3'), 1500);
    assert.equal(parseGoFloat('-0.25'), -0.25);
    assert.equal(parseGoFloat('-Inf'), -Infinity);
    assert.ok(Number.isNaN(parseGoFloat('NaN')));
    assert.throws(() => parseGoFloat(''), /invalid syntax/);
  });
});
