import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeApi, type Reply } from '../../../test/harness/fake-api.ts';
import { NoValuesError } from '../types.ts';
import { GraphiteProvider } from './graphite.ts';

const target = (name: string, ...datapoints: unknown[][]) => ({ target: name, datapoints });

describe('GraphiteProvider', () => {
  let reply: Reply = {};
  let api: FakeApi;
  before(async () => (api = await FakeApi.start(() => reply)));
  after(() => api.stop());

  const provider = (options: { username?: string; password?: string } = {}) =>
    new GraphiteProvider({ address: `${api.url}/graphite/`, ...options });

  it('GETs <address>/render with the collapsed query string and format=json', async () => {
    reply = { body: [target('rate', [99.5, 1_700_000_000])] };
    const query = "target=summarize(\n  asPercent(a.b.{c,d}, a.b.*),\n  1m,\n  'avg'\n)&from=-1min";
    assert.equal(await provider().runQuery(query), 99.5);
    const request = api.requests.at(-1)!;
    assert.equal(request.url.pathname, '/graphite/render');
    assert.deepEqual(
      [...request.url.searchParams],
      [
        ['format', 'json'],
        ['from', '-1min'],
        ['target', "summarize( asPercent(a.b.{c,d}, a.b.*), 1m, 'avg' )"],
      ],
    );
    assert.equal(request.headers.authorization, undefined);
  });

  it('sends basic auth only with both a username and a password', async () => {
    reply = { body: [target('x', [1, 1])] };
    await provider({ username: 'user', password: 'pass' }).runQuery('target=x');
    assert.equal(api.requests.at(-1)!.headers.authorization, `Basic ${btoa('user:pass')}`);
    await provider({ username: 'user', password: '' }).runQuery('target=x');
    assert.equal(api.requests.at(-1)!.headers.authorization, undefined);
  });

  it('takes the last non-null datapoint over every target; strings are numbers', async () => {
    reply = {
      body: [target('a', [1, 10], [2, 20]), target('b', ['3.5', 10], [null, 20]), target('c', [null, 10])],
    };
    assert.equal(await provider().runQuery('target=a&target=b'), 3.5);
  });

  it('is NoValuesError when every datapoint is null or there is no target', async () => {
    for (const body of [[], [target('a')], [target('a', [null, 1], [null, 2])]]) {
      reply = { body };
      await assert.rejects(provider().runQuery('target=a'), NoValuesError, JSON.stringify(body));
    }
  });

  it('rejects malformed datapoints and answers', async () => {
    reply = { body: [target('a', [1])] };
    await assert.rejects(provider().runQuery('target=a'), /graphite error unmarshaling data point: \[1\]/);
    reply = { body: [target('a', [true, 1])] };
    await assert.rejects(provider().runQuery('target=a'), /graphite error unmarshaling value: true/);
    reply = { body: { error: 'x' } };
    await assert.rejects(provider().runQuery('target=a'), /graphite invalid response/);
  });

  it('fails with the provider name on a status of 400 or more, without the password', async () => {
    reply = { status: 400, body: 'Invalid target' };
    await assert.rejects(
      provider({ username: 'user', password: 's3cret' }).runQuery('target=a'),
      (err: Error) => err.message === 'graphite error response: HTTP 400: Invalid target',
    );
  });

  it('isOnline queries target=test and accepts an answer without data', async () => {
    reply = { body: [] };
    assert.equal(await provider().isOnline(), true);
    assert.equal(api.requests.at(-1)!.url.searchParams.get('target'), 'test');
    reply = { status: 500, body: 'down' };
    assert.equal(await provider().isOnline(), false);
  });
});

describe('GraphiteProvider.fromTemplate', () => {
  it('needs a valid address', () => {
    assert.throws(
      () => GraphiteProvider.fromTemplate({ type: 'graphite' }, undefined),
      /^Error: graphite address {2}is not a valid URL$/,
    );
  });

  it('needs a username and a password when a secretRef is set', () => {
    const provider = { type: 'graphite' as const, address: 'http://graphite', secretRef: { name: 's' } };
    assert.ok(GraphiteProvider.fromTemplate(provider, { username: 'u', password: 'p' }));
    assert.throws(
      () => GraphiteProvider.fromTemplate(provider, {}),
      /graphite credentials does not contain a username/,
    );
    assert.throws(
      () => GraphiteProvider.fromTemplate(provider, { username: 'u' }),
      /graphite credentials does not contain a password/,
    );
    assert.ok(GraphiteProvider.fromTemplate({ type: 'graphite', address: 'http://graphite' }, {}));
  });
});
