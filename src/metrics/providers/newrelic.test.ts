import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeApi, type Reply } from '../../../test/harness/fake-api.ts';
import { NoValuesError } from '../types.ts';
import { NewRelicProvider } from './newrelic.ts';
import { MultipleValuesError } from './prometheus.ts';

const QUERY = "SELECT sum(requests) FROM Metric WHERE app = 'podinfo'";

describe('NewRelicProvider', () => {
  let reply: Reply = {};
  let api: FakeApi;
  before(async () => (api = await FakeApi.start(() => reply)));
  after(() => api.stop());

  const provider = (intervalMs = 60_000) =>
    new NewRelicProvider({ address: api.url, accountId: '123456', queryKey: 'query-key-1', intervalMs });

  it('GETs the account query endpoint with the NRQL over the interval and the query key', async () => {
    reply = { body: { results: [{ result: 98.5 }] } };
    assert.equal(await provider().runQuery(QUERY), 98.5);
    const request = api.requests.at(-1)!;
    assert.equal(request.method, 'GET');
    assert.equal(request.url.pathname, '/v1/accounts/123456/query');
    assert.equal(request.url.searchParams.get('nrql'), `${QUERY} SINCE 60 seconds ago`);
    assert.equal(request.headers['x-query-key'], 'query-key-1');
  });

  it('truncates the interval to whole seconds', async () => {
    reply = { body: { results: [{ result: 1 }] } };
    await provider(90_900).runQuery('q');
    assert.equal(api.requests.at(-1)!.url.searchParams.get('nrql'), 'q SINCE 90 seconds ago');
  });

  it('is NoValuesError without a result or with a null one', async () => {
    for (const body of [{ results: [] }, { results: [{ result: null }] }, { results: [{ count: 3 }] }, {}]) {
      reply = { body };
      await assert.rejects(provider().runQuery('q'), NoValuesError, JSON.stringify(body));
    }
  });

  it('is MultipleValuesError for several results', async () => {
    reply = { body: { results: [{ result: 1 }, { result: 2 }] } };
    await assert.rejects(provider().runQuery('q'), MultipleValuesError);
  });

  it('fails with the provider name on an HTTP error, without the account or the key', async () => {
    reply = { status: 401, body: '{"error":"Invalid query key"}' };
    await assert.rejects(provider().runQuery('q'), (err: Error) => {
      assert.equal(err.message, 'newrelic error response: HTTP 401: {"error":"Invalid query key"}');
      assert.doesNotMatch(err.message, /123456|query-key-1/);
      return true;
    });
  });

  it('fails on a result that is not a number', async () => {
    reply = { body: { results: [{ result: 'high' }] } };
    await assert.rejects(provider().runQuery('q'), /newrelic invalid response/);
  });

  it('isOnline runs SELECT * FROM Metric and needs a 200', async () => {
    reply = { body: { results: [{ events: [] }] } };
    assert.equal(await provider().isOnline(), true);
    assert.equal(
      api.requests.at(-1)!.url.searchParams.get('nrql'),
      'SELECT * FROM Metric SINCE 60 seconds ago',
    );
    reply = { status: 500, body: 'down' };
    assert.equal(await provider().isOnline(), false);
  });
});

describe('NewRelicProvider.fromTemplate', () => {
  it('needs the account id and the query key', () => {
    const keys = { newrelic_account_id: '1', newrelic_query_key: 'k' };
    assert.ok(NewRelicProvider.fromTemplate({ type: 'newrelic' }, keys, '1m'));
    assert.throws(
      () => NewRelicProvider.fromTemplate({ type: 'newrelic' }, undefined, '1m'),
      /^Error: newrelic credentials does not contain newrelic_account_id$/,
    );
    assert.throws(
      () => NewRelicProvider.fromTemplate({ type: 'newrelic' }, { newrelic_account_id: '1' }, '1m'),
      /^Error: newrelic credentials does not contain newrelic_query_key$/,
    );
    assert.throws(
      () => NewRelicProvider.fromTemplate({ type: 'newrelic' }, keys, 'soon'),
      /error parsing metric interval/,
    );
  });
});
