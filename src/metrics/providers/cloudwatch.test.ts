// The CloudWatch provider with the real AWS SDK client, pointed at a server on 127.0.0.1 the way a user points it
// at a VPC endpoint (AWS_ENDPOINT_URL_CLOUDWATCH), with fixed credentials from the environment: what goes on the
// wire (a SigV4-signed GetMetricData call) and how answers and failures are read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BadServer, type BadRequest, type Behaves } from '../../../test/harness/bad-server.ts';
import { expectedSigV4Signature, parseSigV4 } from '../../../test/harness/sigv4.ts';
import { NoValuesError } from '../types.ts';
import { CloudWatchProvider, cloudWatchClient, parseMetricDataQueries } from './cloudwatch.ts';

const NOW_MS = 1_700_000_000_500;
const ACCESS_KEY_ID = 'AKIAFLAGGERTEST00001';
const SECRET_ACCESS_KEY = 'flagger/test/secret/key/0000000000000000';
const REGION = 'eu-west-1';
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

const json = (status: number, body: unknown): Behaves => ({
  kind: 'answer',
  status,
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: JSON.stringify(body),
});

describe('CloudWatchProvider with the AWS SDK', () => {
  let server: BadServer;
  const saved = { ...process.env };
  before(async () => {
    server = await BadServer.start();
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent/aws/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws/credentials',
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  });
  after(async () => {
    process.env = saved;
    await server.stop();
  });

  /** Points the SDK at case `name` of the server, which behaves so. */
  function endpoint(name: string, behaves: Behaves): () => BadRequest[] {
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = server.on(name, behaves);
    return () => server.requestsTo(name);
  }

  const provider = (options: { timeoutMs?: number } = {}) =>
    new CloudWatchProvider({
      client: cloudWatchClient(REGION),
      intervalMs: 60_000,
      now: () => NOW_MS,
      ...options,
    });

  it('signs a GetMetricData call over the last 10 intervals with at most 20 points; the first value wins', async () => {
    const requests = endpoint(
      'query',
      json(200, { MetricDataResults: [{ Values: [0.25, 0.5] }, { Values: [9] }] }),
    );
    assert.equal(await provider().runQuery(QUERY), 0.25);

    const [request, ...more] = requests();
    assert.ok(request !== undefined && more.length === 0, 'one request');
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/query/');
    assert.equal(request.query.size, 0);
    assert.equal(request.headers['x-amz-target'], 'GraniteServiceVersion20100801.GetMetricData');
    assert.equal(request.headers['content-type'], 'application/x-amz-json-1.0');
    assert.deepEqual(JSON.parse(request.body), {
      StartTime: (NOW_MS - 600_000) / 1000,
      EndTime: NOW_MS / 1000,
      MaxDatapoints: 20,
      MetricDataQueries: JSON.parse(QUERY) as unknown,
    });

    const amzDate = String(request.headers['x-amz-date']);
    assert.match(amzDate, /^\d{8}T\d{6}Z$/);
    const auth = parseSigV4(request.headers.authorization);
    assert.deepEqual(
      [auth.accessKeyId, auth.date, auth.region, auth.service],
      [ACCESS_KEY_ID, amzDate.slice(0, 8), REGION, 'monitoring'],
    );
    for (const name of ['host', 'x-amz-date', 'x-amz-target', 'content-type']) {
      assert.ok(auth.signedHeaders.includes(name), `${name} is signed`);
    }
    assert.equal(
      auth.signature,
      expectedSigV4Signature(request, SECRET_ACCESS_KEY),
      'the signature verifies',
    );
  });

  it('is NoValuesError without a result or a value, and reads NaN as the number it is', async () => {
    for (const [i, output] of [
      {},
      { MetricDataResults: [] },
      { MetricDataResults: [{ Values: [] }] },
    ].entries()) {
      endpoint(`empty-${i}`, json(200, output));
      await assert.rejects(provider().runQuery(QUERY), (err: Error) => {
        assert.ok(err instanceof NoValuesError);
        assert.equal(err.message, `invalid response: ${JSON.stringify(output)}: no values found`);
        return true;
      });
    }
    endpoint('nan', json(200, { MetricDataResults: [{ Values: ['NaN'] }] }));
    assert.ok(Number.isNaN(await provider().runQuery(QUERY)));
  });

  it('fails naming CloudWatch, the service error and the status; a query that is not JSON is not sent', async () => {
    const requests = endpoint(
      'denied',
      json(403, {
        __type: 'AccessDeniedException',
        message: 'User is not authorized to perform: cloudwatch:GetMetricData',
      }),
    );
    await assert.rejects(
      provider().runQuery(QUERY),
      /^Error: error requesting cloudwatch: User is not authorized to perform: cloudwatch:GetMetricData \(HTTP 403\)$/,
    );
    await assert.rejects(provider().runQuery('{not json'), /^Error: error unmarshaling query: /);
    assert.equal(requests().length, 1);
  });

  it('retries a 5xx as Flagger does (4 attempts), then reports the answer on one line', async () => {
    const requests = endpoint('down', { kind: 'answer', status: 503, body: 'upstream unavailable' });
    await assert.rejects(provider().runQuery(QUERY), (err: Error) => {
      assert.match(
        err.message,
        /^error requesting cloudwatch: .*"upstream unavailable".* \(HTTP 503 after 4 attempts\)$/,
      );
      return true;
    });
    assert.equal(requests().length, 4);
  });

  it('gives up at its deadline, and stops reading an answer beyond 10 MiB', async () => {
    endpoint('hang', { kind: 'hang' });
    await assert.rejects(
      provider({ timeoutMs: 300 }).runQuery(QUERY),
      /^Error: error requesting cloudwatch: timeout exceeded$/,
    );
    const requests = endpoint('endless', { kind: 'endless' });
    await assert.rejects(
      provider().runQuery(QUERY),
      /^Error: error requesting cloudwatch: response body larger than 10 MiB/,
    );
    assert.equal(requests().length, 1, 'a body too large is not asked for again');
  });

  it('isOnline: an empty GetMetricData must succeed or be refused with a 400', async () => {
    const requests = endpoint('online', json(200, {}));
    assert.equal(await provider().isOnline(), true);
    assert.deepEqual(JSON.parse(requests()[0]?.body ?? ''), {
      StartTime: 0,
      EndTime: 0,
      MetricDataQueries: [],
    });
    endpoint(
      'invalid',
      json(400, {
        __type: 'InvalidParameterValueException',
        message: 'The parameter MetricDataQueries is required',
      }),
    );
    assert.equal(await provider().isOnline(), true);
    endpoint('forbidden', json(403, { __type: 'AccessDeniedException', message: 'AccessDenied' }));
    assert.equal(await provider().isOnline(), false);
  });

  it('is offline without credentials', async () => {
    const requests = endpoint('anonymous', json(200, {}));
    const { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret } = process.env;
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      assert.equal(await provider().isOnline(), false);
    } finally {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret });
    }
    assert.equal(requests().length, 0, 'nothing unsigned is sent');
  });

  it('fromTemplate needs a region and a valid interval, and signs for the region', async () => {
    assert.throws(
      () => CloudWatchProvider.fromTemplate({ type: 'cloudwatch' }, '1m'),
      /^Error: region not specified$/,
    );
    assert.throws(
      () => CloudWatchProvider.fromTemplate({ type: 'cloudwatch', region: 'eu-west-1' }, '1x'),
      /error parsing metric interval/,
    );
    const requests = endpoint('region', json(200, {}));
    const built = CloudWatchProvider.fromTemplate({ type: 'cloudwatch', region: 'us-east-2' }, '1m');
    assert.equal(await built.isOnline(), true);
    assert.equal(parseSigV4(requests()[0]?.headers.authorization).region, 'us-east-2');
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
