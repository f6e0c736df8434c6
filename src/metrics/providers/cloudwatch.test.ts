import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoValuesError } from '../types.ts';
import {
  CloudWatchProvider,
  parseMetricDataQueries,
  type CloudWatchClient,
  type GetMetricDataInput,
  type GetMetricDataOutput,
} from './cloudwatch.ts';

const NOW_MS = 1_700_000_000_500;
const QUERY = JSON.stringify([
  { Id: 'e1', Expression: 'm1 / m2', Label: 'Error Rate' },
  {
    Id: 'm1',
    MetricStat: {
      Metric: {
        Namespace: 'MyKubernetesCluster',
        MetricName: 'ErrorCount',
        Dimensions: [{ Name: 'appName', Value: 'podinfo' }],
      },
      Period: 60,
      Stat: 'Sum',
      Unit: 'Count',
    },
    ReturnData: false,
  },
]);

/** Records every call and answers with the test's outcome. */
class FakeCloudWatch implements CloudWatchClient {
  readonly calls: { input: GetMetricDataInput; abortSignal: AbortSignal | undefined }[] = [];
  outcome: () => GetMetricDataOutput = () => ({});

  // async, so that a throwing outcome becomes a rejection, as from the SDK.
  async getMetricData(
    input: GetMetricDataInput,
    options?: { abortSignal?: AbortSignal },
  ): Promise<GetMetricDataOutput> {
    this.calls.push({ input, abortSignal: options?.abortSignal });
    await Promise.resolve();
    return this.outcome();
  }
}

/** An SDK v3 service error. */
const serviceError = (status: number, message: string) =>
  Object.assign(new Error(message), { $metadata: { httpStatusCode: status } });

const provider = (client: CloudWatchClient, intervalMs = 60_000) =>
  new CloudWatchProvider({ client, intervalMs, now: () => NOW_MS });

describe('CloudWatchProvider', () => {
  it('sends the queries over the last 10 intervals with at most 20 points; the first value of the first result wins', async () => {
    const client = new FakeCloudWatch();
    client.outcome = () => ({ MetricDataResults: [{ Values: [0.25, 0.5] }, { Values: [9] }] });
    const signal = new AbortController().signal;
    assert.equal(await provider(client).runQuery(QUERY, signal), 0.25);
    const [call] = client.calls;
    assert.deepEqual(call!.input, {
      StartTime: new Date(NOW_MS - 600_000),
      EndTime: new Date(NOW_MS),
      MaxDatapoints: 20,
      MetricDataQueries: JSON.parse(QUERY) as unknown,
    });
    assert.equal(call!.abortSignal, signal);
  });

  it('is NoValuesError without a result or a value', async () => {
    const client = new FakeCloudWatch();
    for (const output of [
      {},
      { MetricDataResults: [] },
      { MetricDataResults: [{ Values: [] }] },
      { MetricDataResults: [{}] },
    ]) {
      client.outcome = () => output;
      await assert.rejects(provider(client).runQuery(QUERY), NoValuesError, JSON.stringify(output));
    }
  });

  it('fails naming CloudWatch when the call fails or the query is not JSON', async () => {
    const client = new FakeCloudWatch();
    client.outcome = () => {
      throw serviceError(403, 'User is not authorized to perform: cloudwatch:GetMetricData');
    };
    await assert.rejects(
      provider(client).runQuery(QUERY),
      /^Error: error requesting cloudwatch: User is not authorized to perform: cloudwatch:GetMetricData$/,
    );
    await assert.rejects(provider(client).runQuery('{not json'), /^Error: error unmarshaling query: /);
    assert.equal(client.calls.length, 1);
  });

  it('isOnline: an empty GetMetricData must succeed or be refused with a 400', async () => {
    const client = new FakeCloudWatch();
    assert.equal(await provider(client).isOnline(), true);
    assert.deepEqual(client.calls[0]!.input, {
      StartTime: new Date(0),
      EndTime: new Date(0),
      MetricDataQueries: [],
    });
    client.outcome = () => {
      throw serviceError(400, 'The parameter MetricDataQueries is required');
    };
    assert.equal(await provider(client).isOnline(), true);
    client.outcome = () => {
      throw serviceError(403, 'AccessDenied');
    };
    assert.equal(await provider(client).isOnline(), false);
    client.outcome = () => {
      throw new Error('Could not load credentials from any providers');
    };
    assert.equal(await provider(client).isOnline(), false);
  });

  it('fromTemplate needs a region and a valid interval, and builds the client for the region', async () => {
    const regions: string[] = [];
    const clientFor = (region: string) => (regions.push(region), new FakeCloudWatch());
    assert.throws(
      () => CloudWatchProvider.fromTemplate({ type: 'cloudwatch' }, '1m', clientFor),
      /^Error: region not specified$/,
    );
    assert.throws(
      () => CloudWatchProvider.fromTemplate({ type: 'cloudwatch', region: 'eu-west-1' }, '1x', clientFor),
      /error parsing metric interval/,
    );
    const built = CloudWatchProvider.fromTemplate(
      { type: 'cloudwatch', region: 'us-east-1' },
      '1m',
      clientFor,
    );
    assert.deepEqual(regions, ['us-east-1']);
    assert.equal(await built.isOnline(), true);
  });
});

describe('parseMetricDataQueries', () => {
  it('puts field names in their AWS case, as Go matches them without regard to case', () => {
    const query =
      '[{"id":"m1","metricstat":{"metric":{"NAMESPACE":"ns","dimensions":[{"name":"a","value":"b"}]},"stat":"Sum"},"returnData":true}]';
    assert.deepEqual(parseMetricDataQueries(query), [
      {
        Id: 'm1',
        MetricStat: { Metric: { Namespace: 'ns', Dimensions: [{ Name: 'a', Value: 'b' }] }, Stat: 'Sum' },
        ReturnData: true,
      },
    ]);
  });

  it('reads null as no queries and rejects anything but an array of objects', () => {
    assert.deepEqual(parseMetricDataQueries('null'), []);
    for (const query of ['{"Id":"m1"}', '[1]', '[null]', '[[]]']) {
      assert.throws(() => parseMetricDataQueries(query), /^Error: error unmarshaling query: /, query);
    }
  });
});
