import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Reply } from '../../../test/harness/fake-api.ts';
import { FakeSignalFlow, streamData, type Point } from '../../../test/harness/fake-signalflow.ts';
import { NoValuesError } from '../types.ts';
import { MultipleValuesError } from './prometheus.ts';
import { SplunkProvider } from './splunk.ts';

const NOW_MS = 1_700_000_000_123;
const PROGRAM = "data('http.server.duration', filter=filter('service', 'podinfo')).mean().publish()";

describe('SplunkProvider', () => {
  let rest: Reply = {};
  let backend: FakeSignalFlow;
  before(async () => (backend = await FakeSignalFlow.start('sf-token-1', () => rest)));
  after(() => backend.stop());

  const provider = (token = 'sf-token-1') =>
    new SplunkProvider({ address: backend.api.url, token, intervalMs: 60_000, now: () => NOW_MS });
  const answer = (...batches: Point[][]) => {
    backend.script = (peer, execute) => streamData(peer, execute.channel, batches);
  };

  it('executes the program from now - 10 intervals to now with immediate results', async () => {
    answer([{ type: 2, tsid: 7n, value: 120.5 }]);
    assert.equal(await provider().runQuery(PROGRAM), 120.5);
    assert.equal(backend.connectPaths.at(-1), '/v2/signalflow/connect');
    const execute = backend.executes.at(-1)!;
    assert.equal(execute.program, PROGRAM);
    assert.equal(execute.start, NOW_MS - 600_000);
    assert.equal(execute.stop, NOW_MS);
    assert.equal(execute.immediate, true);
  });

  it('returns the last value of the one time series, of any numeric type', async () => {
    answer(
      [{ type: 2, tsid: 7n, value: 1 }],
      [{ type: 0, tsid: 7n, value: 0 }],
      [{ type: 1, tsid: 7n, value: 25 }],
    );
    assert.equal(await provider().runQuery(PROGRAM), 25);
    answer([{ type: 3, tsid: 7n, value: -3 }], [{ type: 0, tsid: 8n, value: 0 }]);
    assert.equal(await provider().runQuery(PROGRAM), -3);
  });

  it('is NoValuesError without data or with payloads without values', async () => {
    for (const batches of [[], [[]], [[{ type: 0, tsid: 7n, value: 0 }]]]) {
      answer(...batches);
      await assert.rejects(provider().runQuery(PROGRAM), NoValuesError);
    }
  });

  it('is MultipleValuesError for payloads of two time series', async () => {
    answer(
      [{ type: 2, tsid: 7n, value: 1 }],
      [
        { type: 2, tsid: 8n, value: 2 },
        { type: 2, tsid: 7n, value: 3 },
      ],
    );
    await assert.rejects(provider().runQuery(PROGRAM), MultipleValuesError);
  });

  it('fails on a rejected token without naming it', async () => {
    await assert.rejects(provider('bad-token-2').runQuery(PROGRAM), (err: Error) => {
      assert.match(err.message, /^splunk error executing query: 401/);
      assert.doesNotMatch(err.message, /bad-token-2/);
      return true;
    });
  });

  it('isOnline GETs /v2/metric?limit=1 with X-SF-Token and needs a 200', async () => {
    rest = { body: { count: 1, results: [] } };
    assert.equal(await provider().isOnline(), true);
    const request = backend.api.requests.at(-1)!;
    assert.equal(`${request.url.pathname}${request.url.search}`, '/v2/metric?limit=1');
    assert.equal(request.headers['x-sf-token'], 'sf-token-1');
    rest = { status: 401, body: 'unauthorized' };
    assert.equal(await provider().isOnline(), false);
  });
});

describe('SplunkProvider addresses', () => {
  const urls = (address: string) => {
    const provider = new SplunkProvider({ address, token: 't', intervalMs: 1 });
    return [provider.streamUrl.toString(), provider.apiUrl.toString()];
  };

  it('derives the stream and REST endpoints from either one, as Flagger does', () => {
    assert.deepEqual(urls('https://api.us1.signalfx.com'), [
      'wss://stream.us1.signalfx.com/v2/signalflow',
      'https://api.us1.signalfx.com/',
    ]);
    assert.deepEqual(urls('wss://stream.eu0.signalfx.com/'), [
      'wss://stream.eu0.signalfx.com/v2/signalflow',
      'https://api.eu0.signalfx.com/',
    ]);
    assert.deepEqual(urls('http://127.0.0.1:8080'), [
      'ws://127.0.0.1:8080/v2/signalflow',
      'http://127.0.0.1:8080/',
    ]);
  });

  it('changes only the scheme and a leading host label', () => {
    assert.deepEqual(urls('https://myapi.example.com/proxy'), [
      'wss://myapi.example.com/proxy/v2/signalflow',
      'https://myapi.example.com/proxy',
    ]);
  });

  it('rejects an address that is not a URL', () => {
    assert.throws(() => urls('api.signalfx.com'), /splunk address api.signalfx.com is not a valid URL/);
  });
});

describe('SplunkProvider.fromTemplate', () => {
  it('needs an address and sf_token_key', () => {
    const token = { sf_token_key: 't' };
    assert.ok(
      SplunkProvider.fromTemplate({ type: 'splunk', address: 'https://api.us1.signalfx.com' }, token, '1m'),
    );
    assert.throws(
      () => SplunkProvider.fromTemplate({ type: 'splunk' }, token, '1m'),
      /^Error: splunk endpoint is not set$/,
    );
    assert.throws(
      () =>
        SplunkProvider.fromTemplate({ type: 'splunk', address: 'https://api.us1.signalfx.com' }, {}, '1m'),
      /^Error: splunk credentials does not contain sf_token_key$/,
    );
  });
});
