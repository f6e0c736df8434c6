// Comparison with the primary (extension) against a real Prometheus scraping the fake Istio exporter: the same
// built-in query for <target> and <target>-primary, tolerances, and too few samples being inconclusive.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CanaryMetric } from '../../src/api/canary-analysis.ts';
import type { Canary } from '../../src/api/canary.ts';
import { checkMetric, type MetricCheckContext } from '../../src/metrics/check.ts';
import { PrometheusProvider } from '../../src/metrics/providers/prometheus.ts';
import type { MetricCheck } from '../../src/metrics/types.ts';
import { waitFor } from '../../src/playground/process.ts';
import { IstioExporter } from '../harness/istio-exporter.ts';
import { PrometheusServer } from '../../src/playground/prometheus.ts';

const NAMESPACE = 'compare';
const REQUESTS =
  'sum(increase(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",' +
  'destination_workload=~"{{ target }}"}[{{ interval }}]))';

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

const messageOf = (check: MetricCheck): string => (check.ok ? '' : check.message);

describe('metrics compared with the primary on a real Prometheus', () => {
  let exporter: IstioExporter;
  let prometheus: PrometheusServer;
  let ctx: MetricCheckContext;

  before(async () => {
    exporter = await IstioExporter.start();
    // Each scenario: a canary and its primary, with chosen success rates and latencies.
    exporter.setTraffic(NAMESPACE, 'worse', { rps: 20, successRate: 95, latencyMs: 40 });
    exporter.setTraffic(NAMESPACE, 'worse-primary', { rps: 20, successRate: 99.5, latencyMs: 40 });
    exporter.setTraffic(NAMESPACE, 'same', { rps: 20, successRate: 99, latencyMs: 40 });
    exporter.setTraffic(NAMESPACE, 'same-primary', { rps: 20, successRate: 99.2, latencyMs: 40 });
    exporter.setTraffic(NAMESPACE, 'quiet', { rps: 0.2, successRate: 100, latencyMs: 40 });
    exporter.setTraffic(NAMESPACE, 'quiet-primary', { rps: 20, successRate: 100, latencyMs: 40 });
    exporter.setTraffic(NAMESPACE, 'slow', { rps: 20, successRate: 100, latencyMs: 900 });
    exporter.setTraffic(NAMESPACE, 'slow-primary', { rps: 20, successRate: 100, latencyMs: 40 });
    prometheus = await PrometheusServer.start([exporter.target]);
    ctx = {
      prometheus: new PrometheusProvider({ address: prometheus.url }),
      meshProvider: 'istio',
      templates: { get: () => undefined },
      secrets: { get: () => Promise.resolve({}) },
    };
  });
  after(async () => {
    await prometheus.stop();
    await exporter.stop();
  });

  /** The check once Prometheus has data for both sides. */
  async function check(target: string, metric: CanaryMetric): Promise<MetricCheck> {
    let result: MetricCheck | undefined;
    await waitFor(
      async () => {
        result = await checkMetric(canary(target), metric, ctx);
        return result.verdict !== 'NoValues' && !messageOf(result).includes('no value for');
      },
      30_000,
      `no data for ${target}`,
    );
    assert.ok(result);
    return result;
  }

  it('fails a canary whose success rate is worse than the primary by more than the tolerances', async () => {
    const result = await check('worse', {
      name: 'request-success-rate',
      thresholdRange: { min: 90 },
      compare: { maxAbsoluteDegradation: 1, maxRelativeDegradation: 1 },
    });
    assert.equal(result.verdict, 'Failed');
    assert.ok(Math.abs((result.baseline ?? 0) - 99.5) < 0.01, String(result.baseline));
    assert.match(
      messageOf(result),
      /^Halt worse\.compare advancement request-success-rate 95(\.\d\d?)? is worse than the primary's 99\.\d\d? by 4\.\d\d? \(4\.\d\d?%\), over the tolerance$/,
    );
  });

  it('passes a canary within the tolerance of its primary', async () => {
    const result = await check('same', {
      name: 'request-success-rate',
      thresholdRange: { min: 90 },
      compare: { maxAbsoluteDegradation: 1 },
    });
    assert.equal(result.verdict, 'Passed', messageOf(result));
    assert.ok(result.baseline !== undefined && result.baseline > 99);
  });

  it('judges latency lower-is-better in milliseconds', async () => {
    const result = await check('slow', {
      name: 'request-duration',
      thresholdRange: { max: 5000 },
      compare: { maxRelativeDegradation: 50 },
    });
    assert.equal(result.verdict, 'Failed');
    assert.ok((result.value ?? 0) > (result.baseline ?? Infinity) * 1.5);
  });

  it('is inconclusive, a failed check, when the canary has too few samples', async () => {
    const result = await check('quiet', {
      name: 'request-success-rate',
      thresholdRange: { min: 90 },
      compare: { maxAbsoluteDegradation: 1, sampleQuery: REQUESTS, minSamples: 100 },
    });
    assert.equal(result.ok, false);
    assert.equal(result.verdict, 'Inconclusive');
    assert.match(
      messageOf(result),
      /^Halt quiet\.compare advancement request-success-rate inconclusive: [\d.e+]+ samples for quiet, [\d.e+]+ for quiet-primary, 100 needed$/,
    );
  });

  describe('with method proportion (significance tests on the request counts)', () => {
    const proportion = (minEffect?: number): CanaryMetric => ({
      name: 'request-success-rate',
      thresholdRange: { min: 90 },
      compare: { method: 'proportion', sampleQuery: REQUESTS, ...(minEffect !== undefined && { minEffect }) },
    });

    /** The check once the window holds enough requests to judge (Prometheus starts with few). */
    async function settled(target: string, metric: CanaryMetric): Promise<MetricCheck> {
      let result: MetricCheck | undefined;
      await waitFor(
        async () => {
          result = await check(target, metric);
          return result.verdict !== 'Inconclusive';
        },
        60_000,
        `${target} still inconclusive`,
      );
      assert.ok(result);
      return result;
    }

    it('fails a degraded canary, with the evidence in the check', async () => {
      // Powered for a 2% drop (99.5 -> 97.5), the test waits for about 450 requests a side, where 95 is clear.
      const result = await settled('worse', proportion(2));
      assert.equal(result.verdict, 'Failed', messageOf(result));
      assert.match(
        messageOf(result),
        /^Halt worse\.compare advancement request-success-rate 95(\.\d\d?)? is worse than the primary's 99\.\d\d? \(p=[\d.e-]+ < 0\.05, (z|fisher) test\)$/,
      );
      const { comparison } = result;
      assert.ok(comparison?.effect !== undefined && comparison.effect < -3, JSON.stringify(comparison));
      assert.ok((comparison.pValue ?? 1) < 0.05);
    });

    it('passes an equal canary once both sides have enough requests', async () => {
      const result = await settled('same', proportion());
      assert.equal(result.verdict, 'Passed', messageOf(result));
      assert.ok((result.comparison?.canarySamples ?? 0) > 0 && (result.comparison?.pValue ?? 0) > 0.05);
    });

    it('is inconclusive on a starved canary, and says how many more requests it needs', async () => {
      const result = await check('quiet', proportion(10));
      assert.equal(result.verdict, 'Inconclusive');
      assert.match(
        messageOf(result),
        /^Halt quiet\.compare advancement request-success-rate inconclusive: \d+ requests for quiet, \d+ for quiet-primary; need about \d+ more requests$/,
      );
    });
  });
});
