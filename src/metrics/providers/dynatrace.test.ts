import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeApi, type Reply } from '../../../test/harness/fake-api.ts';
import { NoValuesError } from '../types.ts';
import { DynatraceProvider } from './dynatrace.ts';

const NOW_MS = 1_700_000_000_750;
const SELECTOR = 'builtin:service.response.time:filter(eq(dt.entity.service,SERVICE-1)):percentile(95)';
const answer = (...data: { values: (number | null)[] }[]) => ({
  totalCount: 1,
  result: [{ metricId: SELECTOR, data: data.map(d => ({ dimensions: [], timestamps: [NOW_MS], ...d })) }],
});

describe('DynatraceProvider', () => {
  let reply: Reply = {};
  let api: FakeApi;
  before(async () => (api = await FakeApi.start(() => reply)));
  after(() => api.stop());

  const provider = (intervalMs = 60_000) =>
    new DynatraceProvider({ address: api.url, token: 'dt0c01.token', intervalMs, now: () => NOW_MS });

  it('GETs /api/v2/metrics/query with the selector, resolution=Inf and a window of 10 intervals in ms', async () => {
    reply = { body: answer({ values: [412.5] }) };
    assert.equal(await provider().runQuery(SELECTOR), 412.5);
    const request = api.requests.at(-1)!;
    assert.equal(request.url.pathname, '/api/v2/metrics/query');
    assert.equal(request.url.searchParams.get('metricSelector'), SELECTOR);
    assert.equal(request.url.searchParams.get('resolution'), 'Inf');
    assert.equal(request.url.searchParams.get('to'), '1700000000000');
    assert.equal(request.url.searchParams.get('from'), String(1_700_000_000_000 - 600_000));
    assert.equal(request.headers.authorization, 'Api-Token dt0c01.token');
  });

  it('takes the first value of the last series of the first result', async () => {
    reply = { body: answer({ values: [1, 2] }, { values: [3, 4] }) };
    assert.equal(await provider().runQuery(SELECTOR), 3);
  });

  it('is NoValuesError without a result, a series or a value, or with a null value', async () => {
    for (const body of [{ result: [] }, answer(), answer({ values: [] }), answer({ values: [null] }), {}]) {
      reply = { body };
      await assert.rejects(provider().runQuery(SELECTOR), NoValuesError, JSON.stringify(body));
    }
  });

  it('fails with the provider name on an HTTP error, without the token', async () => {
    reply = { status: 401, body: '{"error":{"code":401,"message":"Missing authorization"}}' };
    await assert.rejects(provider().runQuery(SELECTOR), (err: Error) => {
      assert.match(err.message, /^dynatrace error response: HTTP 401: .*Missing authorization/);
      assert.doesNotMatch(err.message, /dt0c01/);
      return true;
    });
  });

  it('isOnline GETs /api/v2/metrics?pageSize=1 with the token and needs a 200', async () => {
    reply = { body: { totalCount: 1, metrics: [] } };
    assert.equal(await provider().isOnline(), true);
    const request = api.requests.at(-1)!;
    assert.equal(`${request.url.pathname}${request.url.search}`, '/api/v2/metrics?pageSize=1');
    assert.equal(request.headers.authorization, 'Api-Token dt0c01.token');
    reply = { status: 403, body: 'forbidden' };
    assert.equal(await provider().isOnline(), false);
  });
});

describe('DynatraceProvider.fromTemplate', () => {
  it('needs an address and dynatrace_token', () => {
    const token = { dynatrace_token: 't' };
    assert.ok(
      DynatraceProvider.fromTemplate(
        { type: 'dynatrace', address: 'https://x.live.dynatrace.com' },
        token,
        '1m',
      ),
    );
    assert.throws(
      () => DynatraceProvider.fromTemplate({ type: 'dynatrace' }, token, '1m'),
      /^Error: dynatrace endpoint is not set$/,
    );
    assert.throws(
      () => DynatraceProvider.fromTemplate({ type: 'dynatrace', address: 'https://x' }, undefined, '1m'),
      /^Error: dynatrace credentials does not contain dynatrace_token$/,
    );
  });
});
