import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeApi, type Reply } from '../../../test/harness/fake-api.ts';
import { NoValuesError } from '../types.ts';
import { ExternalMetricsProvider, parseExternalMetricsQuery, parseQuantity } from './externalmetrics.ts';

const list = (...values: string[]) => ({
  kind: 'ExternalMetricValueList',
  apiVersion: 'external.metrics.k8s.io/v1beta1',
  items: values.map(value => ({
    metricName: 'm',
    metricLabels: {},
    timestamp: '2024-01-01T00:00:00Z',
    value,
  })),
});

describe('ExternalMetricsProvider', () => {
  let reply: Reply = {};
  let api: FakeApi;
  before(async () => (api = await FakeApi.start(() => reply)));
  after(() => api.stop());

  const provider = () => new ExternalMetricsProvider({ server: api.url, token: 'sa-token' });

  it('lists the metric in its namespace with the selector and the bearer token; the first item wins', async () => {
    reply = { body: list('1500m', '7') };
    assert.equal(
      await provider().runQuery('test/s0-prometheus?labelSelector=app%3Dpodinfo%2Ctier+in+(web)'),
      1.5,
    );
    const request = api.requests.at(-1)!;
    assert.equal(request.method, 'GET');
    assert.equal(request.url.pathname, '/apis/external.metrics.k8s.io/v1beta1/namespaces/test/s0-prometheus');
    assert.equal(request.url.searchParams.get('labelSelector'), 'app=podinfo,tier in (web)');
    assert.equal(request.headers.authorization, 'Bearer sa-token');
  });

  it('is NoValuesError on an empty list', async () => {
    reply = { body: list() };
    await assert.rejects(provider().runQuery('m'), NoValuesError);
  });

  it('fails naming the provider on an API error and on a malformed value, never with the token', async () => {
    reply = { status: 404, body: '{"kind":"Status","reason":"NotFound"}' };
    await assert.rejects(provider().runQuery('m'), (err: Error) => {
      assert.equal(
        err.message,
        'externalmetrics error response: HTTP 404: {"kind":"Status","reason":"NotFound"}',
      );
      assert.doesNotMatch(err.message, /sa-token/);
      return true;
    });
    reply = { body: list('12 apples') };
    await assert.rejects(provider().runQuery('m'), /^Error: externalmetrics quantities must match/);
  });

  it('isOnline lists dummy-metric in kube-system and needs it not to fail', async () => {
    reply = { body: list() };
    assert.equal(await provider().isOnline(), true);
    const request = api.requests.at(-1)!;
    assert.equal(
      request.url.pathname,
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/kube-system/dummy-metric',
    );
    assert.equal(request.url.search, '');
    reply = { status: 503, body: 'no adapter' };
    assert.equal(await provider().isOnline(), false);
  });

  it('fromTemplate: the address and the Secret token override the cluster connection', async () => {
    reply = { body: list('3') };
    const cluster = { server: 'https://10.96.0.1:443', token: 'controller-token' };
    const built = ExternalMetricsProvider.fromTemplate(
      { type: 'externalmetrics', address: api.url, secretRef: { name: 's' } },
      { token: 'template-token' },
      cluster,
    );
    assert.equal(await built.runQuery('m'), 3);
    assert.equal(api.requests.at(-1)!.headers.authorization, 'Bearer template-token');
    const own = ExternalMetricsProvider.fromTemplate(
      { type: 'externalmetrics', address: api.url },
      undefined,
      cluster,
    );
    await own.runQuery('m');
    assert.equal(api.requests.at(-1)!.headers.authorization, 'Bearer controller-token');
    assert.throws(
      () => ExternalMetricsProvider.fromTemplate({ type: 'externalmetrics' }, undefined, undefined),
      /Not in a kubernetes cluster/,
    );
  });
});

describe('parseExternalMetricsQuery', () => {
  it('defaults the namespace and decodes the path and the selector', () => {
    assert.deepEqual(parseExternalMetricsQuery('m'), {
      namespace: 'default',
      metricName: 'm',
      labelSelector: '',
    });
    assert.deepEqual(parseExternalMetricsQuery('/m'), {
      namespace: 'default',
      metricName: 'm',
      labelSelector: '',
    });
    assert.deepEqual(parseExternalMetricsQuery('ns/m%2Ex?labelSelector=a%3Db'), {
      namespace: 'ns',
      metricName: 'm.x',
      labelSelector: 'a=b',
    });
  });

  it('rejects too many slashes and an empty metric name', () => {
    assert.throws(() => parseExternalMetricsQuery('a/b/c'), /too many slashes/);
    assert.throws(
      () => parseExternalMetricsQuery('ns/'),
      /^Error: externalmetrics metric name cannot be empty$/,
    );
    assert.throws(() => parseExternalMetricsQuery(''), /metric name cannot be empty/);
  });
});

describe('parseQuantity', () => {
  it('reads decimal, binary and exponent suffixes', () => {
    const cases: [string, number][] = [
      ['42', 42],
      ['1500m', 1.5],
      ['-2.5k', -2500],
      ['2Ki', 2048],
      ['1e3', 1000],
      ['.5', 0.5],
      ['250u', 0.00025],
    ];
    for (const [text, value] of cases) assert.ok(Math.abs(parseQuantity(text) - value) < 1e-12, text);
    assert.throws(() => parseQuantity('1x'), /quantities must match/);
    assert.throws(() => parseQuantity(''), /quantities must match/);
  });
});
