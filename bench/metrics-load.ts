// Metrics load: the queries the controller sends to the metrics backend per analysis step, counted by our fake
// Prometheus. "builtin": the kubernetes provider's two built-in metrics (a query of their own per canary).
// "template": two MetricTemplates, one rendered per canary ({{ target }}) and one the same for every canary (a
// shared SLO), which identical-query coalescing should answer with one query per window for all canaries.
import type { CanaryMetric } from '../src/api/canary.ts';
import { API_VERSION } from '../src/api/crds.ts';
import type { MetricTemplate } from '../src/api/metric-template.ts';
import { METRICS_VERIFIED_CONDITION } from '../src/scheduler/status.ts';
import { initTimeoutMs, intervalMs, progress, type Benchmark, type BenchOptions } from './lib/benchmark.ts';
import type { BenchEnv } from './lib/bench-env.ts';
import { iterationsAnalysis } from './lib/fleet.ts';
import { analysisSteps } from './lib/controller-process.ts';
import { fmt, inPool } from './lib/stats.ts';

const TEMPLATE_NAMESPACE = 'bench-templates';

export const metricsLoad: Benchmark = {
  name: 'metrics',
  title: 'Metrics load: provider queries per analysis step',
  defaults: { canaries: 0, progressing: 10, interval: '10s', steps: 3, metrics: 'builtin' },
  async run(env, options) {
    const metrics = await canaryMetrics(env, options);
    progress(`creating ${options.progressing} canaries with ${options.metrics} metrics`);
    const idle = await env.fleet.create({
      prefix: 'idle',
      count: options.canaries,
      replicas: 0,
      analysis: iterationsAnalysis(options.interval, options.steps),
    });
    const released = await env.fleet.create({
      prefix: 'metrics',
      count: options.progressing,
      replicas: 1,
      analysis: iterationsAnalysis(options.interval, options.steps, metrics),
    });
    const controller = await env.startController();
    await env.fleet.waitForPhase(idle, ['Initialized'], initTimeoutMs(idle.length));
    const verified = (canary?: { status?: { conditions?: { type: string }[] } }) =>
      canary?.status?.conditions?.some(c => c.type === METRICS_VERIFIED_CONDITION) === true;
    await env.fleet.waitUntil(released, verified, 'verified', initTimeoutMs(released.length));
    const atRelease = env.prometheus.count;
    const stepsBefore = analysisSteps(await controller.metrics());
    // A run's first step checks no metrics when it starts with no traffic on the canary (Flagger's order); it
    // logs "Starting canary analysis". (Blue/green on the kubernetes provider reports all traffic on the canary,
    // so there every step checks.)
    let firstSteps = 0;
    controller.onLog(line => {
      if (line.msg.startsWith('Starting canary analysis for ')) firstSteps++;
    });
    const queriesBefore = new Map(env.prometheus.queries);
    progress(`releasing ${released.length} canaries at once`);
    await inPool(released, 16, ref => env.fleet.release(ref, 'bench/app:2'));
    const runMs = intervalMs(options) * (options.steps + 6);
    await env.fleet.waitForPhase(released, ['Succeeded'], initTimeoutMs(released.length) + runMs * 3);
    const checkedSteps = analysisSteps(await controller.metrics()) - stepsBefore - firstSteps;
    const queries = env.prometheus.count - atRelease;
    const sent = [...env.prometheus.queries]
      .map(([query, n]): [string, number] => [query, n - (queriesBefore.get(query) ?? 0)])
      .filter(([, n]) => n > 0);
    progress(`queries during the releases:\n${sent.map(([q, n]) => `  ${n}× ${q}`).join('\n')}`);
    const distinct = sent.length;
    return [
      ['idle canaries', String(options.canaries)],
      ['progressing', String(released.length)],
      ['metrics', `${options.metrics} (${metrics.length} per canary)`],
      ['verification queries', String(atRelease)],
      ['steps with checks', String(checkedSteps)],
      ['queries', String(queries)],
      ['distinct queries', String(distinct)],
      ['queries/canary/step', fmt(queries / checkedSteps)],
      ['queries/metric check', fmt(queries / checkedSteps / metrics.length)],
    ];
  },
};

/** The canaries' metrics; the templates they use are created first. */
async function canaryMetrics(env: BenchEnv, options: BenchOptions): Promise<CanaryMetric[]> {
  if (options.metrics === 'builtin') {
    // The fake answers 100 to everything: a success rate of 100%, and a duration the wide range accepts.
    return [
      { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
      { name: 'request-duration', thresholdRange: { max: 1e9 }, interval: '1m' },
    ];
  }
  await env.kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: TEMPLATE_NAMESPACE } });
  const templates = {
    'per-canary':
      'sum(rate(http_requests_total{namespace="{{ namespace }}",app="{{ target }}"}[{{ interval }}]))',
    shared: 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
  };
  for (const [name, query] of Object.entries(templates)) {
    await env.kube.create<MetricTemplate>({
      apiVersion: API_VERSION,
      kind: 'MetricTemplate',
      metadata: { name, namespace: TEMPLATE_NAMESPACE },
      spec: { provider: { type: 'prometheus', address: env.prometheus.url }, query },
    });
  }
  return Object.keys(templates).map(name => ({
    name,
    templateRef: { name, namespace: TEMPLATE_NAMESPACE },
    thresholdRange: { min: 0 },
    interval: '1m',
  }));
}
