import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeApi, type Reply } from '../../../test/harness/fake-api.ts';
import { NoValuesError } from '../types.ts';
import { DatadogProvider } from './datadog.ts';

const NOW_MS = 1_700_000_000_500;
const series = (...pointlists: (number | null)[][][]) => ({
  status: 'ok',
  series: pointlists.map(pointlist => ({ metric: 'istio.mesh.request.count', pointlist })),
});

describe('DatadogProvider', () => {
  let reply: Reply = {};
  let api: FakeApi;
  before(async () => (api = await FakeApi.start(() => reply)));
  after(() => api.stop());

  const provider = (intervalMs = 60_000) =>
    new DatadogProvider({
      address: `${api.url}/`,
      apiKey: 'api-key-1',
      applicationKey: 'app-key-1',
      intervalMs,
      now: () => NOW_MS,
    });

  it('GETs /api/v1/query over the last 10 intervals with both keys as headers', async () => {
    reply = { body: series([[1_699_999_400_000, 12.5]]) };
    assert.equal(await provider().runQuery('sum:requests{app:podinfo}.as_count()'), 12.5);
    const request = api.requests.at(-1)!;
    assert.equal(request.method, 'GET');
    assert.equal(request.url.pathname, '/api/v1/query');
    assert.equal(request.url.searchParams.get('query'), 'sum:requests{app:podinfo}.as_count()');
    assert.equal(request.url.searchParams.get('from'), String(1_700_000_000 - 600));
    assert.equal(request.url.searchParams.get('to'), '1700000000');
    assert.equal(request.headers['dd-api-key'], 'api-key-1');
    assert.equal(request.headers['dd-application-key'], 'app-key-1');
  });

  it('truncates the window to whole seconds, as Go does', async () => {
    reply = { body: series([[1, 1]]) };
    await provider(1_550).runQuery('q');
    assert.equal(api.requests.at(-1)!.url.searchParams.get('from'), String(1_700_000_000 - 15));
  });

  it('takes the first point of the first series when there are several', async () => {
    reply = {
      body: series(
        [
          [1, 3],
          [2, 4],
        ],
        [[1, 9]],
      ),
    };
    assert.equal(await provider().runQuery('q'), 3);
  });

  it('is NoValuesError without a series, a point or a value', async () => {
    for (const body of [series(), series([]), series([[1, null]]), series([[1]]), {}]) {
      reply = { body };
      await assert.rejects(provider().runQuery('q'), NoValuesError, JSON.stringify(body));
    }
    reply = { body: series() };
    await assert.rejects(provider().runQuery('q'), /^NoValuesError: invalid response: .*: no values found$/);
  });

  it('fails with the provider name and the body on an HTTP error, never with the keys', async () => {
    reply = { status: 403, body: '{"errors":["Forbidden"]}' };
    const failure = await provider()
      .runQuery('q')
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    assert.ok(failure instanceof Error);
    assert.equal(failure.message, 'datadog error response: HTTP 403: {"errors":["Forbidden"]}');
    assert.doesNotMatch(failure.message, /api-key-1|app-key-1/);
  });

  it("fails with Datadog's message when the query is rejected", async () => {
    reply = { body: { status: 'error', error: 'Error parsing query' } };
    await assert.rejects(provider().runQuery('q'), /^Error: datadog query error: "Error parsing query"$/);
  });

  it('fails on a body that is not JSON', async () => {
    reply = { body: 'oops' };
    await assert.rejects(provider().runQuery('q'), /datadog error unmarshaling result: .*, 'oops'/);
  });

  it('isOnline calls /api/v1/validate with the keys and needs a 200', async () => {
    reply = { body: { valid: true } };
    assert.equal(await provider().isOnline(), true);
    const request = api.requests.at(-1)!;
    assert.equal(request.url.pathname, '/api/v1/validate');
    assert.equal(request.headers['dd-api-key'], 'api-key-1');
    reply = { status: 403, body: '{"errors":["Forbidden"]}' };
    assert.equal(await provider().isOnline(), false);
  });

  it('isOnline is false when the API cannot be reached', async () => {
    const down = new DatadogProvider({
      address: 'http://127.0.0.1:1',
      apiKey: 'k',
      applicationKey: 'a',
      intervalMs: 1,
    });
    assert.equal(await down.isOnline(), false);
    await assert.rejects(down.runQuery('q'), /^Error: datadog request failed: /);
  });
});

describe('DatadogProvider.fromTemplate', () => {
  const keys = { datadog_api_key: 'k', datadog_application_key: 'a' };

  it('needs both keys', () => {
    assert.ok(DatadogProvider.fromTemplate({ type: 'datadog', secretRef: { name: 'dd' } }, keys, '1m'));
    assert.throws(
      () => DatadogProvider.fromTemplate({ type: 'datadog' }, undefined, '1m'),
      /^Error: datadog credentials does not contain datadog_api_key$/,
    );
    assert.throws(
      () => DatadogProvider.fromTemplate({ type: 'datadog' }, { datadog_api_key: 'k' }, '1m'),
      /^Error: datadog credentials does not contain datadog_application_key$/,
    );
  });

  it('rejects an interval Go cannot parse', () => {
    assert.throws(
      () => DatadogProvider.fromTemplate({ type: 'datadog' }, keys, '1 minute'),
      /error parsing metric interval: time: invalid duration "1 minute"/,
    );
  });

  it('rejects an address that is not a URL', () => {
    assert.throws(
      () => DatadogProvider.fromTemplate({ type: 'datadog', address: 'api.datadoghq.eu' }, keys, '1m'),
      /datadog address api.datadoghq.eu is not a valid URL/,
    );
  });
});
