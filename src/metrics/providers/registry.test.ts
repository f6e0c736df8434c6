import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrometheusProvider } from './prometheus.ts';
import { createMetricsProvider } from './registry.ts';

describe('createMetricsProvider', () => {
  it('builds a Prometheus provider', () => {
    const provider = createMetricsProvider({ type: 'prometheus', address: 'http://prom:9090' }, undefined, {
      interval: '1m',
    });
    assert.ok(provider instanceof PrometheusProvider);
  });

  it('rejects a type without an implementation instead of falling back to Prometheus', () => {
    assert.throws(
      () => createMetricsProvider({ type: 'keptn' }, undefined, { interval: '1m' }),
      /unsupported metrics provider type "keptn" \(supported: prometheus, datadog, newrelic, graphite, influxdb, dynatrace, splunk, stackdriver, cloudwatch\)/,
    );
  });

  it('passes construction errors through', () => {
    assert.throws(
      () => createMetricsProvider({ type: 'prometheus' }, undefined, { interval: '1m' }),
      /prometheus address {2}is not a valid URL/,
    );
  });
});
