import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanaryMetric } from '../api/canary-analysis.ts';
import { testCanary } from '../api/canary.fixture.ts';
import type { MetricTemplate } from '../api/metric-template.ts';
import { checkMetric, type MetricCheckContext } from './check.ts';
import type { MetricsProviderFactory } from './providers/registry.ts';
import { NoValuesError, type MetricCheck, type MetricsProvider } from './types.ts';

/** A check's outcome without its facts (the decision-record tests check those). */
function outcome(check: MetricCheck): Record<string, unknown> {
  const { metric, ok, verdict, value } = check;
  return {
    metric,
    ok,
    verdict,
    ...(value !== undefined && { value }),
    ...(!check.ok && { message: check.message }),
  };
}

/** A provider that answers every query with `answer` and records the queries. */
class FakeProvider implements MetricsProvider {
  readonly queries: string[] = [];
  private readonly answer: number | Error;
  constructor(answer: number | Error) {
    this.answer = answer;
  }
  runQuery(query: string): Promise<number> {
    this.queries.push(query.replace(/\s+/g, ' ').trim());
    return this.answer instanceof Error ? Promise.reject(this.answer) : Promise.resolve(this.answer);
  }
  isOnline(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

function template(
  namespace: string,
  name: string,
  spec: Partial<MetricTemplate['spec']> = {},
): MetricTemplate {
  return {
    metadata: { name, namespace },
    spec: {
      provider: { type: 'prometheus', address: 'http://prometheus.monitoring:9090' },
      query: 'sum(rate(http_errors{namespace="{{ namespace }}",app="{{ target }}"}[{{ interval }}]))',
      ...spec,
    },
  };
}

interface Harness {
  ctx: MetricCheckContext;
  prometheus: FakeProvider;
  templateProvider: FakeProvider;
  built: { credentials: Readonly<Record<string, string>> | undefined; interval: string }[];
  secretReads: string[];
}

function harness(answer: number | Error, templates: MetricTemplate[] = []): Harness {
  const prometheus = new FakeProvider(answer);
  const templateProvider = new FakeProvider(answer);
  const built: Harness['built'] = [];
  const secretReads: string[] = [];
  const createProvider: MetricsProviderFactory = (_provider, credentials, options) => {
    built.push({ credentials, interval: options.interval });
    return templateProvider;
  };
  const ctx: MetricCheckContext = {
    prometheus,
    meshProvider: 'istio',
    templates: {
      get: (namespace, name) =>
        templates.find(t => t.metadata.namespace === namespace && t.metadata.name === name),
    },
    secrets: {
      get: (namespace, name) => {
        secretReads.push(`${namespace}/${name}`);
        if (name === 'missing') return Promise.reject(new Error(`secrets "${name}" not found`));
        return Promise.resolve({ data: { token: btoa('s3cret') } });
      },
    },
    createProvider,
  };
  return { ctx, prometheus, templateProvider, built, secretReads };
}

const successRate = (extra: Partial<CanaryMetric> = {}): CanaryMetric => ({
  name: 'request-success-rate',
  ...extra,
});
const duration = (extra: Partial<CanaryMetric> = {}): CanaryMetric => ({
  name: 'request-duration',
  ...extra,
});

describe('checkMetric: request-success-rate', () => {
  it('runs the Istio query for the target with the 1m default interval', async () => {
    const h = harness(99.5);
    const check = await checkMetric(testCanary(), successRate({ thresholdRange: { min: 99 } }), h.ctx);
    assert.deepEqual(outcome(check), {
      metric: 'request-success-rate',
      ok: true,
      verdict: 'Passed',
      value: 99.5,
    });
    const query = h.prometheus.queries[0] ?? '';
    assert.match(query, /destination_workload_namespace="test", destination_workload=~"podinfo"/);
    assert.match(query, /\[1m\]/);
  });

  it('halts below the minimum with Flagger’s message', async () => {
    const check = await checkMetric(
      testCanary(),
      successRate({ thresholdRange: { min: 99 } }),
      harness(98.6912).ctx,
    );
    assert.deepEqual(outcome(check), {
      metric: 'request-success-rate',
      ok: false,
      verdict: 'Failed',
      value: 98.6912,
      message: 'Halt podinfo.test advancement success rate 98.69% < 99%',
    });
  });

  it('halts above a maximum', async () => {
    const check = await checkMetric(
      testCanary(),
      successRate({ thresholdRange: { max: 50 } }),
      harness(75).ctx,
    );
    assert.equal(check.ok ? '' : check.message, 'Halt podinfo.test advancement success rate 75.00% > 50%');
  });

  it('reads the legacy threshold as a minimum', async () => {
    const metric = successRate({ threshold: 99 });
    assert.equal((await checkMetric(testCanary(), metric, harness(99).ctx)).ok, true);
    const check = await checkMetric(testCanary(), metric, harness(90).ctx);
    assert.equal(check.ok ? '' : check.message, 'Halt podinfo.test advancement success rate 90.00% < 99%');
  });

  it('fails with the no-values warning when there is no traffic', async () => {
    const check = await checkMetric(
      testCanary(),
      successRate({ threshold: 99 }),
      harness(new NoValuesError()).ctx,
    );
    assert.equal(
      check.ok ? '' : check.message,
      'Halt advancement no values found for istio metric request-success-rate probably podinfo.test is not ' +
        'receiving traffic: running query failed: no values found',
    );
  });

  it('reports other query errors', async () => {
    const check = await checkMetric(
      testCanary(),
      successRate(),
      harness(new Error('request failed: boom')).ctx,
    );
    assert.equal(
      check.ok ? '' : check.message,
      'Prometheus query failed: running query failed: request failed: boom',
    );
  });

  it('names the :service provider for a Service target in the no-values warning', async () => {
    const target = { apiVersion: 'v1', kind: 'Service' as const, name: 'podinfo' };
    const check = await checkMetric(
      testCanary({ spec: { targetRef: target } }),
      successRate(),
      harness(new NoValuesError()).ctx,
    );
    assert.match(
      check.ok ? '' : check.message,
      /no values found for istio:service metric request-success-rate/,
    );
  });

  it('fails clearly for a provider without built-in metrics', async () => {
    // SMI has no metrics of its own; a target mesh without built-in queries leaves nothing to ask.
    const ctx = { ...harness(100).ctx, meshProvider: 'smi:v1alpha3:consul' };
    const check = await checkMetric(testCanary(), successRate(), ctx);
    assert.match(check.ok ? '' : check.message, /no built-in metrics for provider "smi:v1alpha3:consul"/);
  });
});

describe('checkMetric: request-duration', () => {
  it('truncates to whole milliseconds and passes within range', async () => {
    const check = await checkMetric(
      testCanary(),
      duration({ thresholdRange: { max: 500 } }),
      harness(499.9).ctx,
    );
    assert.deepEqual(outcome(check), { metric: 'request-duration', ok: true, verdict: 'Passed', value: 499 });
  });

  it('halts above the maximum with Go durations in the message', async () => {
    const check = await checkMetric(
      testCanary(),
      duration({ thresholdRange: { max: 500 } }),
      harness(1515.7).ctx,
    );
    assert.deepEqual(outcome(check), {
      metric: 'request-duration',
      ok: false,
      verdict: 'Failed',
      value: 1515,
      message: 'Halt podinfo.test advancement request duration 1.515s > 500ms',
    });
  });

  it('halts below a minimum', async () => {
    const check = await checkMetric(testCanary(), duration({ thresholdRange: { min: 10 } }), harness(3).ctx);
    assert.equal(check.ok ? '' : check.message, 'Halt podinfo.test advancement request duration 3ms < 10ms');
  });

  it('reads the legacy threshold as a maximum in milliseconds', async () => {
    const check = await checkMetric(testCanary(), duration({ threshold: 100 }), harness(90_000).ctx);
    assert.equal(
      check.ok ? '' : check.message,
      'Halt podinfo.test advancement request duration 1m30s > 100ms',
    );
  });

  it('warns without the error text when there is no traffic', async () => {
    const check = await checkMetric(testCanary(), duration(), harness(new NoValuesError()).ctx);
    assert.equal(
      check.ok ? '' : check.message,
      'Halt advancement no values found for istio metric request-duration probably podinfo.test is not ' +
        'receiving traffic',
    );
  });

  it('fails an infinite duration instead of passing it', async () => {
    const check = await checkMetric(
      testCanary(),
      duration({ thresholdRange: { max: 500 } }),
      harness(Infinity).ctx,
    );
    assert.equal(check.ok, false);
  });
});

describe('checkMetric: spec.metricsServer', () => {
  it('reports an unusable URL', async () => {
    const check = await checkMetric(
      testCanary({ spec: { metricsServer: 'not a url' } }),
      successRate(),
      harness(100).ctx,
    );
    assert.equal(
      check.ok ? '' : check.message,
      'Error building Prometheus client for not a url prometheus address not a url is not a valid URL',
    );
  });
});

describe('checkMetric: inline query', () => {
  const inline = (extra: Partial<CanaryMetric> = {}): CanaryMetric => ({
    name: 'error-rate',
    query: 'sum(rate(errors{ns="{{ namespace }}"}[{{ interval }}]))',
    interval: '30s',
    ...extra,
  });

  it('renders the query and checks it on the default Prometheus', async () => {
    const h = harness(0.5);
    const check = await checkMetric(testCanary(), inline({ thresholdRange: { max: 1 } }), h.ctx);
    assert.deepEqual(outcome(check), { metric: 'error-rate', ok: true, verdict: 'Passed', value: 0.5 });
    assert.deepEqual(h.prometheus.queries, ['sum(rate(errors{ns="test"}[30s]))']);
  });

  it('reads the legacy threshold as a maximum', async () => {
    const check = await checkMetric(testCanary(), inline({ threshold: 1 }), harness(2.5).ctx);
    assert.equal(check.ok ? '' : check.message, 'Halt podinfo.test advancement error-rate 2.50 > 1');
  });

  it('halts below the range minimum', async () => {
    const check = await checkMetric(testCanary(), inline({ thresholdRange: { min: 1 } }), harness(0.25).ctx);
    assert.equal(check.ok ? '' : check.message, 'Halt podinfo.test advancement error-rate 0.25 < 1');
  });

  it('has its own no-values and error messages', async () => {
    const none = await checkMetric(testCanary(), inline(), harness(new NoValuesError()).ctx);
    assert.equal(none.ok ? '' : none.message, 'Halt advancement no values found for metric: error-rate');
    const error = await checkMetric(testCanary(), inline(), harness(new Error('error response: bad')).ctx);
    assert.equal(
      error.ok ? '' : error.message,
      'Prometheus query failed for error-rate: error response: bad',
    );
  });

  it('reports a query that does not render', async () => {
    const check = await checkMetric(testCanary(), inline({ query: '{{ variables.x }}' }), harness(1).ctx);
    assert.match(
      check.ok ? '' : check.message,
      /^Prometheus query failed for error-rate: .*no entry for key "x"/,
    );
  });
});

describe('checkMetric: templateRef', () => {
  const ref = (extra: Partial<CanaryMetric> = {}): CanaryMetric => ({
    name: 'errors',
    templateRef: { name: 'error-rate' },
    thresholdRange: { max: 5 },
    ...extra,
  });

  it('reads the template from the canary’s namespace and runs its rendered query', async () => {
    const h = harness(1.5, [template('test', 'error-rate')]);
    const check = await checkMetric(testCanary(), ref(), h.ctx);
    assert.deepEqual(outcome(check), { metric: 'errors', ok: true, verdict: 'Passed', value: 1.5 });
    assert.deepEqual(h.templateProvider.queries, [
      'sum(rate(http_errors{namespace="test",app="podinfo"}[1m]))',
    ]);
    assert.deepEqual(h.prometheus.queries, []);
    assert.deepEqual(h.built, [{ credentials: undefined, interval: '1m' }]);
  });

  it('reads the template and its Secret from templateRef.namespace, decoding the Secret', async () => {
    const secretRef = { name: 'prom-auth' };
    const t = template('flagger', 'error-rate', {
      provider: { type: 'prometheus', address: 'http://prom:9090', secretRef },
    });
    const h = harness(1, [t]);
    const metric = ref({ templateRef: { name: 'error-rate', namespace: 'flagger' }, interval: '5m' });
    assert.equal((await checkMetric(testCanary(), metric, h.ctx)).ok, true);
    assert.deepEqual(h.secretReads, ['flagger/prom-auth']);
    assert.deepEqual(h.built, [{ credentials: { token: 's3cret' }, interval: '5m' }]);
  });

  it('passes templateVariables to the query', async () => {
    const t = template('test', 'error-rate', { query: 'x{dir="{{ variables.direction }}"}' });
    const h = harness(1, [t]);
    await checkMetric(testCanary(), ref({ templateVariables: { direction: 'inbound' } }), h.ctx);
    assert.deepEqual(h.templateProvider.queries, ['x{dir="inbound"}']);
  });

  it('halts outside the range, and above a legacy threshold (0 when unset, as in Flagger)', async () => {
    const h = harness(7.125, [template('test', 'error-rate')]);
    const high = await checkMetric(testCanary(), ref(), h.ctx);
    assert.equal(high.ok ? '' : high.message, 'Halt podinfo.test advancement errors 7.12 > 5');
    const legacy = await checkMetric(testCanary(), ref({ thresholdRange: undefined }), h.ctx);
    assert.equal(legacy.ok ? '' : legacy.message, 'Halt podinfo.test advancement errors 7.12 > 0');
  });

  it('reports a missing template', async () => {
    const check = await checkMetric(testCanary(), ref(), harness(1).ctx);
    assert.equal(
      check.ok ? '' : check.message,
      'Metric template error-rate.test error: metrictemplate.flagger.app "error-rate" not found',
    );
  });

  it('reports a Secret that cannot be read', async () => {
    const t = template('test', 'error-rate', {
      provider: { type: 'prometheus', address: 'http://prom:9090', secretRef: { name: 'missing' } },
    });
    const check = await checkMetric(testCanary(), ref(), harness(1, [t]).ctx);
    assert.equal(
      check.ok ? '' : check.message,
      'Metric template error-rate.test secret missing error: secrets "missing" not found',
    );
  });

  it('reports a provider that cannot be built (with the real registry)', async () => {
    const h = harness(1, [template('test', 'error-rate', { provider: { type: 'datadog' } })]);
    // datadog without its API keys in a Secret: the provider cannot be built.
    const ctx: MetricCheckContext = { ...h.ctx };
    delete ctx.createProvider;
    const check = await checkMetric(testCanary(), ref(), ctx);
    assert.match(
      check.ok ? '' : check.message,
      /^Metric template error-rate\.test provider datadog error: datadog credentials does not contain datadog_api_key/,
    );
  });

  it('reports a query that does not render', async () => {
    const h = harness(1, [template('test', 'error-rate', { query: '{{ workload }}' })]);
    const check = await checkMetric(testCanary(), ref(), h.ctx);
    assert.equal(
      check.ok ? '' : check.message,
      'Metric template error-rate.test query render error: template parsing failed: template: tmpl:1: ' +
        'function "workload" not defined',
    );
  });

  it('has its own no-values and error messages', async () => {
    const none = await checkMetric(
      testCanary(),
      ref(),
      harness(new NoValuesError(), [template('test', 'error-rate')]).ctx,
    );
    assert.equal(
      none.ok ? '' : none.message,
      'Halt advancement no values found for custom metric: errors: no values found',
    );
    const error = await checkMetric(
      testCanary(),
      ref(),
      harness(new Error('boom'), [template('test', 'error-rate')]).ctx,
    );
    assert.equal(error.ok ? '' : error.message, 'Metric query failed for errors: boom');
  });

  it('takes precedence over a built-in name', async () => {
    const h = harness(1, [template('test', 'error-rate')]);
    await checkMetric(testCanary(), ref({ name: 'request-success-rate' }), h.ctx);
    assert.equal(h.templateProvider.queries.length, 1);
    assert.deepEqual(h.prometheus.queries, []);
  });
});

describe('checkMetric: unusable metric', () => {
  it('fails with Flagger’s message', async () => {
    const check = await checkMetric(testCanary(), { name: 'latency' }, harness(1).ctx);
    assert.deepEqual(outcome(check), {
      metric: 'latency',
      ok: false,
      verdict: 'Error',
      message: 'Metric query failed for no usable metrics template and query were configured',
    });
  });
});

describe('checkMetric: the facts of the decision record', () => {
  const facts = (check: MetricCheck) => {
    const { provider, query, interval, min, max } = check;
    return { provider, query, interval, min, max };
  };

  it('names the backend, the rendered query, the window and the range of a built-in metric', async () => {
    const check = await checkMetric(
      testCanary(),
      duration({ thresholdRange: { max: 500.9 } }),
      harness(20).ctx,
    );
    assert.equal(check.provider, 'prometheus');
    assert.equal(check.interval, '1m');
    assert.equal(check.max, 500, 'request-duration bounds are whole milliseconds');
    assert.match(check.query ?? '', /histogram_quantile\(\s*0\.99/);
  });

  it('records the template type and its rendered query, also when the value fails', async () => {
    const h = harness(7, [template('test', 'error-rate', { provider: { type: 'datadog' } })]);
    const metric = { name: 'errors', templateRef: { name: 'error-rate' }, thresholdRange: { max: 5 } };
    const check = await checkMetric(testCanary(), metric, h.ctx);
    assert.equal(check.verdict, 'Failed');
    assert.deepEqual(facts(check), {
      provider: 'datadog',
      query: 'sum(rate(http_errors{namespace="test",app="podinfo"}[1m]))',
      interval: '1m',
      min: undefined,
      max: 5,
    });
  });

  it('says how far a failing template got: no template, no query', async () => {
    const check = await checkMetric(
      testCanary(),
      { name: 'errors', templateRef: { name: 'nope' } },
      harness(1).ctx,
    );
    assert.equal(check.verdict, 'Error');
    assert.deepEqual(facts(check), {
      provider: 'template',
      query: undefined,
      interval: '1m',
      min: undefined,
      max: 0,
    });
  });

  it('tells no values from errors', async () => {
    const none = await checkMetric(testCanary(), successRate(), harness(new NoValuesError()).ctx);
    assert.equal(none.verdict, 'NoValues');
    const down = await checkMetric(testCanary(), successRate(), harness(new Error('connection refused')).ctx);
    assert.equal(down.verdict, 'Error');
  });
});

describe('checkMetric: Knative targets', () => {
  const knative = testCanary({
    spec: {
      targetRef: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'podinfo' },
    },
  });

  it('renders {{ route }} as the latest created revision', async () => {
    const h = harness(1);
    h.ctx.knativeRevision = () => Promise.resolve('podinfo-00007');
    await checkMetric(knative, { name: 'errors', query: 'errors{revision="{{ route }}"}' }, h.ctx);
    assert.deepEqual(h.prometheus.queries, ['errors{revision="podinfo-00007"}']);
  });

  it('fails the check when the revision cannot be read', async () => {
    const h = harness(1);
    h.ctx.knativeRevision = () => Promise.reject(new Error('Knative Service podinfo.test not found'));
    const check = await checkMetric(knative, { name: 'errors', query: 'x' }, h.ctx);
    assert.equal(check.verdict, 'Error');
    assert.equal(check.message, 'Metric query failed for errors: Knative Service podinfo.test not found');
  });
});

describe('checkMetric: answers that are no measurement', () => {
  const errors: CanaryMetric = { name: 'error-rate', query: 'errors', thresholdRange: { min: 0 } };

  it('fails NaN and infinite values that compare as within any range', async () => {
    for (const [value, text] of [
      [Number.NaN, 'NaN'],
      [Infinity, '+Inf'],
    ] as const) {
      const check = await checkMetric(testCanary(), errors, harness(value).ctx);
      assert.deepEqual(outcome(check), {
        metric: 'error-rate',
        ok: false,
        verdict: 'Failed',
        value,
        message: `Halt podinfo.test advancement error-rate ${text} is not a finite number`,
      });
    }
    const rate = await checkMetric(
      testCanary(),
      successRate({ thresholdRange: { min: 99 } }),
      harness(Infinity).ctx,
    );
    assert.equal(
      rate.ok ? '' : rate.message,
      'Halt podinfo.test advancement success rate +Inf is not a finite number',
    );
  });

  it('keeps Flagger’s message for an infinite value outside the range', async () => {
    const check = await checkMetric(
      testCanary(),
      { ...errors, thresholdRange: { max: 1 } },
      harness(Infinity).ctx,
    );
    assert.equal(check.ok ? '' : check.message, 'Halt podinfo.test advancement error-rate +Inf > 1');
  });

  it('bounds a message that quotes a huge answer', async () => {
    const huge = new Error(`error response: ${'x'.repeat(1024 * 1024)}`);
    const check = await checkMetric(testCanary(), errors, harness(huge).ctx);
    assert.ok(!check.ok);
    assert.ok(check.message.length < 5_000, String(check.message.length));
    assert.match(
      check.message,
      /^Prometheus query failed for error-rate: error response: x+\.\.\. \(\d+ more/,
    );
  });
});
