import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanaryMetric } from '../api/canary-analysis.ts';
import { testCanary } from '../api/canary.fixture.ts';
import type { MetricCheckContext } from './check.ts';
import { NoValuesError } from './types.ts';
import { verifyMetricQueries } from './verify.ts';

/** Prometheus answering by the workload the query names: a value, NaN, no values or an error. */
function context(answers: Record<string, number | Error>): MetricCheckContext {
  return {
    prometheus: {
      runQuery: query => {
        const workload = /workload="([^"]+)"/.exec(query)?.[1] ?? '';
        const answer = answers[workload] ?? new NoValuesError();
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
      isOnline: () => Promise.resolve(true),
    },
    meshProvider: 'istio',
    templates: { get: () => undefined },
    secrets: { get: () => Promise.resolve({}) },
  };
}

const errors = (extra: Partial<CanaryMetric> = {}): CanaryMetric => ({
  name: 'errors',
  query: 'sum(rate(errors{workload="{{ target }}"}[1m]))',
  thresholdRange: { max: 1 },
  ...extra,
});

describe('verifyMetricQueries', () => {
  it('accepts a query that answers for the canary, even outside its range', async () => {
    assert.deepEqual(
      await verifyMetricQueries(
        testCanary({ spec: { analysis: { metrics: [errors()] } } }),
        context({ podinfo: 50 }),
      ),
      [],
    );
  });

  it('accepts a query without values for the canary when the primary has values', async () => {
    assert.deepEqual(
      await verifyMetricQueries(
        testCanary({ spec: { analysis: { metrics: [errors()] } } }),
        context({ 'podinfo-primary': 0 }),
      ),
      [],
    );
  });

  it('names queries that return nothing for either, NaN, or fail', async () => {
    const subject = testCanary({
      spec: {
        analysis: {
          metrics: [
            errors(),
            errors({ name: 'ratio', query: 'x{workload="nan"}' }),
            errors({ name: 'down', query: 'x{workload="down"}' }),
            { name: 'latency' },
          ],
        },
      },
    });
    const problems = await verifyMetricQueries(
      subject,
      context({ nan: Number.NaN, down: new Error('connection refused') }),
    );
    assert.deepEqual(problems, [
      'errors: the query returns no values for podinfo nor for podinfo-primary ' +
        '(do its labels match the workload, and does the workload receive traffic?)',
      'ratio: the query returns NaN for podinfo',
      'down: Prometheus query failed for down: connection refused',
      'latency: Metric query failed for no usable metrics template and query were configured',
    ]);
  });
});
