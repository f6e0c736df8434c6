import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testCanary } from '../api/canary.fixture.ts';
import type { MetricTemplate } from '../api/metric-template.ts';
import { metricProviderProblems } from './availability.ts';
import type { MetricCheckContext } from './check.ts';
import type { MetricsProvider } from './types.ts';

function backend(online: boolean | Error, calls: string[], name: string): MetricsProvider {
  return {
    runQuery: () => Promise.resolve(1),
    isOnline: () => {
      calls.push(name);
      return online instanceof Error ? Promise.reject(online) : Promise.resolve(online);
    },
  };
}

function template(name: string, type: 'datadog' | 'newrelic'): MetricTemplate {
  return { metadata: { name, namespace: 'test' }, spec: { provider: { type }, query: 'q' } };
}

function context(prometheusOnline: boolean, templates: Record<string, boolean | Error>, calls: string[]) {
  const ctx: MetricCheckContext = {
    prometheus: backend(prometheusOnline, calls, 'prometheus'),
    meshProvider: 'istio',
    templates: {
      get: (_namespace, name) =>
        name in templates ? template(name, name.startsWith('dd') ? 'datadog' : 'newrelic') : undefined,
    },
    secrets: { get: () => Promise.resolve({}) },
    createProvider: spec => {
      const entry = Object.entries(templates).find(
        ([name]) => (name.startsWith('dd') ? 'datadog' : 'newrelic') === spec.type,
      );
      return backend(entry?.[1] ?? false, calls, spec.type);
    },
  };
  return ctx;
}

describe('metricProviderProblems', () => {
  it('is empty when every backend answers, checking each distinct backend once', async () => {
    const calls: string[] = [];
    const problems = await metricProviderProblems(
      testCanary({
        spec: {
          analysis: {
            metrics: [
              { name: 'request-success-rate' },
              { name: 'request-duration' },
              { name: 'errors', query: 'sum(errors)' },
              { name: 'dd-1', templateRef: { name: 'dd-errors' } },
              { name: 'dd-2', templateRef: { name: 'dd-errors' } },
            ],
          },
        },
      }),
      context(true, { 'dd-errors': true }, calls),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(calls.sort(), ['datadog', 'prometheus']);
  });

  it("names every backend that does not answer, in Flagger's words", async () => {
    const calls: string[] = [];
    const problems = await metricProviderProblems(
      testCanary({
        spec: {
          analysis: {
            metrics: [
              { name: 'request-success-rate' },
              { name: 'dd', templateRef: { name: 'dd-errors' } },
              { name: 'nr', templateRef: { name: 'nr-errors' } },
              { name: 'gone', templateRef: { name: 'missing' } },
            ],
          },
        },
      }),
      context(false, { 'dd-errors': false, 'nr-errors': new Error('boom') }, calls),
    );
    assert.deepEqual(problems, [
      'prometheus not avaiable: it does not answer queries',
      'datadog in metric template dd-errors.test not avaiable',
      'newrelic in metric template nr-errors.test not avaiable',
      'metric template missing.test error: metrictemplate.flagger.app "missing" not found',
    ]);
  });

  it('checks the Prometheus of spec.metricsServer and reports an unusable URL', async () => {
    const subject = testCanary({ spec: { analysis: { metrics: [{ name: 'request-success-rate' }] } } });
    subject.spec.metricsServer = 'not a url';
    const problems = await metricProviderProblems(subject, context(true, {}, []));
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /^Error building Prometheus client for not a url/);
  });
});
