// Metric checks against a real Prometheus scraping a fake Istio exporter, plus a plain HTTP server standing in for
// Prometheus where the test needs to see the requests themselves.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { CanaryMetric } from '../../src/api/canary-analysis.ts';
import type { Canary } from '../../src/api/canary.ts';
import type { MetricTemplate } from '../../src/api/metric-template.ts';
import { checkMetric, type MetricCheckContext } from '../../src/metrics/check.ts';
import { MultipleValuesError, PrometheusProvider } from '../../src/metrics/providers/prometheus.ts';
import type { MetricCheck } from '../../src/metrics/types.ts';
import { freePort, waitFor } from '../../src/playground/process.ts';
import { IstioExporter, expectedP99 } from '../harness/istio-exporter.ts';
import { PrometheusServer } from '../../src/playground/prometheus.ts';

const NAMESPACE = 'shop';

function canary(target: string): Canary {
  return {
    metadata: { name: target, namespace: NAMESPACE },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      service: { port: 9898 },
      analysis: { interval: '1m' },
    },
  };
}

function context(prometheus: MetricsProviderLike, templates: MetricTemplate[] = []): MetricCheckContext {
  return {
    prometheus,
    meshProvider: 'istio',
    templates: {
      get: (namespace, name) =>
        templates.find(t => t.metadata.namespace === namespace && t.metadata.name === name),
    },
    secrets: { get: (_namespace, name) => Promise.resolve({ data: SECRETS[name] ?? {} }) },
  };
}
type MetricsProviderLike = MetricCheckContext['prometheus'];

const SECRETS: Record<string, Record<string, string>> = {
  'bearer-auth': { token: btoa('t0ken') },
  'basic-auth': { username: btoa('flagger'), password: btoa('s3cret') },
};

/** Runs the check until Prometheus has scraped enough samples for the query to have a value. */
async function checkWithData(
  target: Canary,
  metric: CanaryMetric,
  ctx: MetricCheckContext,
): Promise<MetricCheck> {
  let check: MetricCheck | undefined;
  await waitFor(
    async () => {
      check = await checkMetric(target, metric, ctx);
      return check.ok || !check.message.includes('no values found');
    },
    30_000,
    `no data for ${metric.name} of ${target.metadata.name ?? ''}`,
  );
  assert.ok(check);
  return check;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise(resolve => server.close(() => resolve()));
}

describe('metric checks against a real Prometheus', () => {
  let exporter: IstioExporter | undefined;
  let prometheus: PrometheusServer | undefined;
  let provider: PrometheusProvider;

  before(async () => {
    exporter = await IstioExporter.start();
    prometheus = await PrometheusServer.start([exporter.target]);
    provider = new PrometheusProvider({ address: prometheus.url });
    exporter.setTraffic(NAMESPACE, 'frontend', { rps: 20, successRate: 98.5, latencyMs: 1200 });
    exporter.setTraffic(NAMESPACE, 'backend', { rps: 50, successRate: 100, latencyMs: 40 });
    exporter.setTraffic(NAMESPACE, 'idle', { rps: 0, successRate: 100, latencyMs: 40 });
  });

  after(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  it('computes the success rate the exporter serves, and halts below the minimum', async () => {
    const metric = { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } };
    const check = await checkWithData(canary('frontend'), metric, context(provider));
    assert.equal(check.ok, false);
    assert.ok(check.value !== undefined && Math.abs(check.value - 98.5) < 1e-6, `value ${check.value}`);
    assert.equal(check.message, 'Halt frontend.shop advancement success rate 98.50% < 99%');
  });

  it('passes a success rate within the range', async () => {
    const metric = { name: 'request-success-rate', thresholdRange: { min: 99 } };
    const check = await checkWithData(canary('backend'), metric, context(provider));
    assert.deepEqual([check.ok, check.verdict, check.value], [true, 'Passed', 100]);
  });

  it('computes the p99 duration the exporter serves, and halts above the maximum', async () => {
    const metric = { name: 'request-duration', interval: '30s', thresholdRange: { max: 500 } };
    const check = await checkWithData(canary('frontend'), metric, context(provider));
    assert.equal(check.value, Math.trunc(expectedP99(1200)));
    assert.equal(
      check.ok ? '' : check.message,
      'Halt frontend.shop advancement request duration 1.524s > 500ms',
    );
  });

  it('passes a duration within the range', async () => {
    const metric = { name: 'request-duration', thresholdRange: { max: 500 } };
    const check = await checkWithData(canary('backend'), metric, context(provider));
    assert.deepEqual([check.ok, check.verdict, check.value], [true, 'Passed', Math.trunc(expectedP99(40))]);
  });

  it('fails with the no-values warning for a workload without requests', async () => {
    // The idle workload's series exist but never grow: the success rate is 0/0.
    await waitFor(
      async () => (await provider.runQuery('count(istio_requests_total{destination_workload="idle"})')) > 0,
      30_000,
      'the idle series were not scraped',
    );
    const idle = await checkMetric(canary('idle'), { name: 'request-success-rate' }, context(provider));
    assert.equal(
      idle.ok ? '' : idle.message,
      'Halt advancement no values found for istio metric request-success-rate probably idle.shop is not ' +
        'receiving traffic: running query failed: no values found',
    );
    const unknown = await checkMetric(canary('ghost'), { name: 'request-duration' }, context(provider));
    assert.equal(
      unknown.ok ? '' : unknown.message,
      'Halt advancement no values found for istio metric request-duration probably ghost.shop is not ' +
        'receiving traffic',
    );
  });

  it('runs a MetricTemplate query with template variables', async () => {
    const template: MetricTemplate = {
      metadata: { name: 'error-percentage', namespace: 'flagger' },
      spec: {
        provider: { type: 'prometheus', address: prometheus!.url },
        query: `
          100 * sum(rate(istio_requests_total{reporter="destination",
            destination_workload_namespace="{{ namespace }}", destination_workload="{{ target }}",
            response_code=~"{{ variables.codes }}"}[{{ interval }}]))
          / sum(rate(istio_requests_total{reporter="destination",
            destination_workload_namespace="{{ namespace }}", destination_workload="{{ target }}"}[{{ interval }}]))`,
      },
    };
    const metric: CanaryMetric = {
      name: '5xx-percentage',
      templateRef: { name: 'error-percentage', namespace: 'flagger' },
      templateVariables: { codes: '5..' },
      thresholdRange: { max: 1 },
    };
    const check = await checkWithData(canary('frontend'), metric, context(provider, [template]));
    assert.equal(check.ok ? '' : check.message, 'Halt frontend.shop advancement 5xx-percentage 1.50 > 1');
  });

  it('reports a query Prometheus rejects', async () => {
    const check = await checkMetric(
      canary('frontend'),
      { name: 'bad', query: 'sum(rate(' },
      context(provider),
    );
    assert.match(
      check.ok ? '' : check.message,
      /^Prometheus query failed for bad: error response: .*"bad_data"/,
    );
  });

  it('reads scalars and refuses range vectors', async () => {
    assert.equal(await provider.runQuery('scalar(vector(2))'), 2);
    await assert.rejects(provider.runQuery('up[1m]'), MultipleValuesError);
  });

  it('is online, and offline when nothing listens', async () => {
    assert.equal(await provider.isOnline(), true);
    const down = new PrometheusProvider({ address: `http://127.0.0.1:${await freePort()}` });
    assert.equal(await down.isOnline(), false);
  });

  it('fails the check, without throwing, when Prometheus is down', async () => {
    const down = new PrometheusProvider({ address: `http://127.0.0.1:${await freePort()}` });
    const check = await checkMetric(canary('frontend'), { name: 'request-success-rate' }, context(down));
    assert.equal(check.ok, false);
    assert.match(
      check.message,
      /^Prometheus query failed: running query failed: request failed: Get "http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query\?query=.+": .*ECONNREFUSED/,
    );
  });
});

describe('Prometheus requests seen by the server', () => {
  let server: Server;
  let address = '';
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

  before(async () => {
    server = createServer((request, response) => {
      seen.push({ url: request.url ?? '', headers: request.headers });
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [0, '0.5'] }] },
        }),
      );
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const bound = server.address();
    address = `http://127.0.0.1:${typeof bound === 'object' && bound ? bound.port : 0}/prom`;
  });

  after(() => close(server));

  async function checkWith(provider: MetricTemplate['spec']['provider']): Promise<(typeof seen)[number]> {
    seen.length = 0;
    const template: MetricTemplate = {
      metadata: { name: 'errors', namespace: NAMESPACE },
      spec: { provider, query: 'sum(\n  rate(errors{app="{{ target }}"}[{{ interval }}])\n)' },
    };
    const metric: CanaryMetric = {
      name: 'errors',
      templateRef: { name: 'errors' },
      thresholdRange: { max: 1 },
    };
    const check = await checkMetric(
      canary('frontend'),
      metric,
      context(new PrometheusProvider({ address }), [template]),
    );
    assert.deepEqual([check.ok, check.verdict, check.value], [true, 'Passed', 0.5]);
    assert.equal(seen.length, 1);
    return seen[0]!;
  }

  it('sends the whitespace-collapsed query under the address path', async () => {
    const request = await checkWith({ type: 'prometheus', address });
    const url = new URL(request.url, 'http://x');
    assert.equal(url.pathname, '/prom/api/v1/query');
    assert.equal(url.searchParams.get('query'), 'sum( rate(errors{app="frontend"}[1m]) )');
    assert.equal(request.headers.authorization, undefined);
  });

  it('sends the bearer token of the template Secret', async () => {
    const request = await checkWith({ type: 'prometheus', address, secretRef: { name: 'bearer-auth' } });
    assert.equal(request.headers.authorization, 'Bearer t0ken');
  });

  it('sends basic auth from the template Secret', async () => {
    const request = await checkWith({ type: 'prometheus', address, secretRef: { name: 'basic-auth' } });
    assert.equal(request.headers.authorization, `Basic ${btoa('flagger:s3cret')}`);
  });

  it('sends the template headers', async () => {
    const request = await checkWith({
      type: 'prometheus',
      address,
      headers: { 'X-Scope-OrgID': ['tenant1'] },
    });
    assert.equal(request.headers['x-scope-orgid'], 'tenant1');
  });
});
