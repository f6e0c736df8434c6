import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanaryMetric } from './canary-analysis.ts';
import { validateAnalysis } from './validate-analysis.ts';

/** The fields at fault for one metric. */
const faults = (metric: CanaryMetric): string[] =>
  validateAnalysis(
    { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10, metrics: [metric] },
    'istio',
  ).map(p => p.field);
const at = (key: string): string => `spec.analysis.metrics[0].compare.${key}`;

describe('metrics[].compare statistical fields', () => {
  it('accepts a proportion comparison with its sample query, confidence and minEffect', () => {
    const compare = { method: 'proportion', sampleQuery: 'sum(n)', confidence: 0.99, minEffect: 5 } as const;
    assert.deepEqual(faults({ name: 'request-success-rate', compare }), []);
    assert.deepEqual(faults({ name: 'errors', query: 'x', compare: { maxAbsoluteDegradation: 1 } }), []);
  });

  it('needs a sample query and a percentage for proportion', () => {
    assert.deepEqual(faults({ name: 'request-success-rate', compare: { method: 'proportion' } }), [
      at('method'),
    ]);
    const duration = {
      name: 'request-duration',
      compare: { method: 'proportion', sampleQuery: 'n' },
    } as const;
    assert.deepEqual(faults(duration), [at('method')]);
  });

  it('rejects fields that the method ignores', () => {
    assert.deepEqual(faults({ name: 'errors', query: 'x', compare: { confidence: 0.99, minEffect: 5 } }), [
      at('confidence'),
      at('minEffect'),
    ]);
    const tolerances = { method: 'proportion', sampleQuery: 'n', maxRelativeDegradation: 1 } as const;
    assert.deepEqual(faults({ name: 'errors', query: 'x', compare: tolerances }), [
      at('maxRelativeDegradation'),
    ]);
  });
});
