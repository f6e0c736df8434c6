// At initialization, Flagger checks that the backends of a canary's metrics answer (checkMetricProviderAvailability)
// and reports "all the metrics providers are available!" or the one that is not. Here every distinct backend is
// checked once and every one that does not answer is named, not only the first; inline-query metrics count too,
// and spec.metricsServer is the Prometheus checked when it is set.
import type { CanaryMetric } from '../api/canary-analysis.ts';
import type { Canary } from '../api/canary.ts';
import { metricsServer, templateNamespace, templateProvider, type MetricCheckContext } from './check.ts';

/** Why the canary's metric backends do not answer, in Flagger's words; empty when they all do. */
export async function metricProviderProblems(canary: Canary, ctx: MetricCheckContext): Promise<string[]> {
  const checked = new Map<string, Promise<string | undefined>>();
  for (const metric of canary.spec.analysis.metrics ?? []) {
    const backend = backendOf(canary, metric, ctx);
    if (backend !== undefined && !checked.has(backend.key)) checked.set(backend.key, backend.problem());
  }
  const problems = await Promise.all(checked.values());
  return problems.filter(problem => problem !== undefined);
}

interface Backend {
  key: string;
  problem: () => Promise<string | undefined>;
}

function backendOf(canary: Canary, metric: CanaryMetric, ctx: MetricCheckContext): Backend | undefined {
  if (metric.templateRef !== undefined) {
    const key = `template ${templateNamespace(canary, metric)}/${metric.templateRef.name}`;
    return { key, problem: () => templateProblem(canary, metric, ctx) };
  }
  const builtin = metric.name === 'request-success-rate' || metric.name === 'request-duration';
  if (!builtin && (metric.query ?? '') === '') return undefined;
  const server = canary.spec.metricsServer ?? '';
  return {
    key: `prometheus ${server}`,
    problem: async () => {
      const prometheus = metricsServer(canary, ctx);
      if (typeof prometheus === 'string') return prometheus;
      // Flagger's spelling, kept: users grep their events for it.
      return (await answers(prometheus)) ? undefined : 'prometheus not avaiable: it does not answer queries';
    },
  };
}

async function templateProblem(
  canary: Canary,
  metric: CanaryMetric,
  ctx: MetricCheckContext,
): Promise<string | undefined> {
  try {
    const { template, provider } = await templateProvider(canary, metric, ctx, 'metric template');
    if (await answers(provider)) return undefined;
    const { name, namespace } = template.metadata;
    return `${template.spec.provider.type} in metric template ${name ?? ''}.${namespace ?? ''} not avaiable`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function answers(provider: { isOnline(signal?: AbortSignal): Promise<boolean> }): Promise<boolean> {
  try {
    return await provider.isOnline();
  } catch {
    return false;
  }
}
