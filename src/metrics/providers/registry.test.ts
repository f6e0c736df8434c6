import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricTemplateProvider } from '../../api/metric-template.ts';
import { PrometheusProvider } from './prometheus.ts';
import { createMetricsProvider } from './registry.ts';

describe('createMetricsProvider', () => {
  it('builds a Prometheus provider', () => {
    const provider = createMetricsProvider({ type: 'prometheus', address: 'http://prom:9090' }, undefined, {
      interval: '1m',
    });
    assert.ok(provider instanceof PrometheusProvider);
  });

  it('rejects an unknown type instead of falling back to Prometheus', () => {
    const provider = { type: 'opentsdb' } as unknown as MetricTemplateProvider;
    assert.throws(
      () => createMetricsProvider(provider, undefined, { interval: '1m' }),
      /unsupported metrics provider type "opentsdb" \(supported: prometheus, datadog, newrelic, graphite, influxdb, dynatrace, splunk, stackdriver, cloudwatch, keptn, externalmetrics\)/,
    );
  });

  it('fails the cluster providers outside a cluster, as Flagger does', async () => {
    assert.throws(
      () => createMetricsProvider({ type: 'keptn' }, undefined, { interval: '1m' }),
      /keptn: Not in a kubernetes cluster/,
    );
    await assert.rejects(
      async () => createMetricsProvider({ type: 'externalmetrics' }, undefined, { interval: '1m' }),
      /externalmetrics: Not in a kubernetes cluster/,
    );
  });

  it('passes construction errors through', () => {
    assert.throws(
      () => createMetricsProvider({ type: 'prometheus' }, undefined, { interval: '1m' }),
      /prometheus address {2}is not a valid URL/,
    );
  });
});
