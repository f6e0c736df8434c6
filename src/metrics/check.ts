// One analysis metric checked the way Flagger's scheduler_metrics.go checks it: built-in metrics through the mesh's
// PromQL on the Prometheus of -metrics-server (or spec.metricsServer), deprecated inline queries on the same
// Prometheus, and templateRef metrics on a provider built from the MetricTemplate for this check. Failures carry
// Flagger's exact event text; every result also says what was asked of whom (the decision record's facts).
import type { CanaryMetric } from '../api/canary-analysis.ts';
import type { Canary, CheckVerdict } from '../api/canary.ts';
import { metricInterval } from '../api/defaults.ts';
import type { MetricTemplate } from '../api/metric-template.ts';
import { decodeSecretData } from '../kube/secret-data.ts';
import { excerpt, MAX_QUOTED_CHARS } from '../util/http.ts';
import { redactUrl } from '../util/redact.ts';
import {
  builtinNoValues,
  canaryId,
  customMetricHalt,
  requestDurationHalt,
  successRateHalt,
  goFloat,
  UNUSABLE_METRIC_MESSAGE,
} from './messages.ts';
import type { QueryCoalescer } from './coalesce.ts';
import { compareWithPrimary } from './compare.ts';
import { metricsProviderName, observerFor } from './observers/registry.ts';
import type { BuiltinMetric } from './observers/types.ts';
import { PrometheusProvider } from './providers/prometheus.ts';
import {
  createMetricsProvider,
  type ClusterAccess,
  type MetricsProviderFactory,
} from './providers/registry.ts';
import { queryModel, renderQuery } from './render.ts';
import { durationLimits, findViolation, metricLimits, type Limits } from './thresholds.ts';
import { NoValuesError, type CheckFacts, type MetricCheck, type MetricsProvider } from './types.ts';
import { isKnativeService } from '../api/knative.ts';

/** Room for Flagger's words around a quoted answer (cut at MAX_QUOTED_CHARS by the providers). */
const MAX_MESSAGE_CHARS = 2 * MAX_QUOTED_CHARS;

export interface MetricCheckContext {
  /** The -metrics-server Prometheus, for built-in and inline-query metrics (unless spec.metricsServer is set). */
  prometheus: MetricsProvider;
  /** The -mesh-provider flag. */
  meshProvider: string;
  /** MetricTemplates, e.g. from an informer cache; undefined when there is no such template. */
  templates: {
    get(namespace: string, name: string): MetricTemplate | undefined | Promise<MetricTemplate | undefined>;
  };
  /** Reads a Secret from the API server; `data` is base64-encoded, as the API returns it. */
  secrets: { get(namespace: string, name: string): Promise<{ data?: Record<string, string> }> };
  /** The controller's API access, for the providers that query the cluster (keptn, externalmetrics). */
  cluster?: ClusterAccess;
  /** Told of provider problems that do not fail a check. */
  onWarning?: (message: string) => void;
  /** The latest created revision of a Knative Service target, rendered as {{ route }}. */
  knativeRevision?: (canary: Canary) => Promise<string>;
  /** Set by checkMetric for a Knative target: the revision {{ route }} names. */
  route?: string;
  /** Builds a template's provider; the provider registry by default. */
  createProvider?: MetricsProviderFactory;
  /** Shares identical queries to the same backend between checks (see coalesce.ts); none when unset. */
  coalescer?: QueryCoalescer;
  signal?: AbortSignal;
}

/**
 * Checks one metric: its thresholds, then (extension) its comparison with the primary. Never throws: every
 * failure is a failed check with Flagger's message.
 */
export async function checkMetric(
  canary: Canary,
  metric: CanaryMetric,
  context: MetricCheckContext,
): Promise<MetricCheck> {
  let ctx = context;
  const { targetRef } = canary.spec;
  if (isKnativeService(targetRef)) {
    try {
      ctx = { ...context, route: await context.knativeRevision?.(canary) };
    } catch (err) {
      const message = `Metric query failed for ${metric.name}: ${errorText(err)}`;
      return failed(metric, prometheusFacts(metric), 'Error', message);
    }
  }
  const check = await checkThresholds(canary, metric, ctx);
  const { compare } = metric;
  if (compare === undefined || !check.ok) return check;
  return compareWithPrimary(canary, { ...metric, compare }, check, {
    check: (side, m) => checkThresholds(side, m, ctx),
    samples: (side, m) => sampleCount(side, m, ctx),
  });
}

/** compare.sampleQuery on the metric's backend, for one side; no values count as 0 samples. */
async function sampleCount(
  canary: Canary,
  metric: CanaryMetric,
  ctx: MetricCheckContext,
): Promise<number | undefined> {
  const query = metric.compare?.sampleQuery;
  if (query === undefined || query === '') return undefined;
  let backend: MetricsProvider | string;
  if (metric.templateRef !== undefined) {
    backend = (await templateProvider(canary, metric, ctx, 'Metric template')).provider;
  } else {
    backend = metricsServer(canary, ctx);
  }
  if (typeof backend === 'string') throw new Error(backend);
  const outcome = await run(backend, renderQuery(query, queryModel(canary, metric, ctx.route)), ctx.signal);
  if (outcome instanceof NoValuesError) return 0;
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

/** The thresholds part of a check: one kind of check per metric, as Flagger's scheduler_metrics.go. */
async function checkThresholds(
  canary: Canary,
  metric: CanaryMetric,
  ctx: MetricCheckContext,
): Promise<MetricCheck> {
  // One kind of check per metric: the template, else the inline query, else the built-in name.
  if (metric.templateRef !== undefined) return checkTemplateMetric(canary, metric, ctx);
  if (metric.query !== undefined && metric.query !== '') return checkInlineMetric(canary, metric, ctx);
  if (metric.name === 'request-success-rate' || metric.name === 'request-duration') {
    return checkBuiltinMetric(canary, metric, metric.name, ctx);
  }
  return failed(metric, prometheusFacts(metric), 'Error', UNUSABLE_METRIC_MESSAGE);
}

async function checkBuiltinMetric(
  canary: Canary,
  metric: CanaryMetric,
  builtin: BuiltinMetric,
  ctx: MetricCheckContext,
): Promise<MetricCheck> {
  const providerName = metricsProviderName(canary, ctx.meshProvider);
  const limits =
    builtin === 'request-success-rate'
      ? metricLimits(metric, 'min')
      : durationLimits(metricLimits(metric, 'max'));
  const facts = prometheusFacts(metric, limits);
  const prometheus = metricsServer(canary, ctx);
  if (typeof prometheus === 'string') return failed(metric, facts, 'Error', prometheus);
  let durationUnitMs: number;
  try {
    const observer = observerFor(providerName);
    durationUnitMs = observer.durationUnitMs;
    const model = queryModel(canary, metric, ctx.route);
    facts.query = renderQuery(observer.queries[builtin], observer.encodeModel?.(model) ?? model);
  } catch (err) {
    return failed(metric, facts, 'Error', `Metric query failed for ${metric.name}: ${errorText(err)}`);
  }
  const outcome = await run(prometheus, facts.query, ctx.signal);
  if (outcome instanceof Error) {
    // Flagger's observers wrap provider errors with "running query failed".
    const error = `running query failed: ${outcome.message}`;
    if (!(outcome instanceof NoValuesError))
      return failed(metric, facts, 'Error', `Prometheus query failed: ${error}`);
    const detail = builtin === 'request-success-rate' ? error : undefined;
    return failed(metric, facts, 'NoValues', builtinNoValues(canary, providerName, metric.name, detail));
  }
  if (builtin === 'request-success-rate') {
    const violation = findViolation(outcome, limits);
    if (violation !== undefined) {
      return failed(metric, facts, 'Failed', successRateHalt(canary, outcome, violation), outcome);
    }
    return passedIfFinite(canary, metric, facts, outcome, 'success rate');
  }
  return checkDuration(canary, metric, facts, outcome * durationUnitMs);
}

/** request-duration: Flagger truncates the value to whole milliseconds (a Go time.Duration). */
function checkDuration(
  canary: Canary,
  metric: CanaryMetric,
  facts: CheckFacts,
  valueMs: number,
): MetricCheck {
  if (!Number.isFinite(valueMs)) {
    const message = `Prometheus query failed: request duration ${goFloat(valueMs)} is not a duration`;
    return failed(metric, facts, 'Error', message);
  }
  const ms = Math.trunc(valueMs);
  const violation = findViolation(ms, facts);
  if (violation === undefined) return passed(metric, facts, ms);
  return failed(metric, facts, 'Failed', requestDurationHalt(canary, ms, violation), ms);
}

async function checkInlineMetric(
  canary: Canary,
  metric: CanaryMetric,
  ctx: MetricCheckContext,
): Promise<MetricCheck> {
  const facts = prometheusFacts(metric, metricLimits(metric, 'max'));
  const prometheus = metricsServer(canary, ctx);
  if (typeof prometheus === 'string') return failed(metric, facts, 'Error', prometheus);
  try {
    facts.query = renderQuery(metric.query ?? '', queryModel(canary, metric, ctx.route));
  } catch (err) {
    return failed(metric, facts, 'Error', `Prometheus query failed for ${metric.name}: ${errorText(err)}`);
  }
  const outcome = await run(prometheus, facts.query, ctx.signal);
  if (outcome instanceof NoValuesError) {
    return failed(metric, facts, 'NoValues', `Halt advancement no values found for metric: ${metric.name}`);
  }
  if (outcome instanceof Error) {
    return failed(metric, facts, 'Error', `Prometheus query failed for ${metric.name}: ${outcome.message}`);
  }
  return checkCustomValue(canary, metric, facts, outcome);
}

async function checkTemplateMetric(
  canary: Canary,
  metric: CanaryMetric,
  ctx: MetricCheckContext,
): Promise<MetricCheck> {
  // The provider type is known once the template is read; until then the record says "template".
  const facts: CheckFacts = { provider: 'template', interval: metricInterval(metric) };
  Object.assign(facts, metricLimits(metric, 'max'));
  let prepared: { provider: MetricsProvider; query: string };
  try {
    prepared = await prepareTemplateQuery(canary, metric, ctx, facts);
  } catch (err) {
    return failed(metric, facts, 'Error', errorText(err));
  }
  const outcome = await run(prepared.provider, prepared.query, ctx.signal);
  if (outcome instanceof NoValuesError) {
    const message = `Halt advancement no values found for custom metric: ${metric.name}: ${outcome.message}`;
    return failed(metric, facts, 'NoValues', message);
  }
  if (outcome instanceof Error) {
    return failed(metric, facts, 'Error', `Metric query failed for ${metric.name}: ${outcome.message}`);
  }
  return checkCustomValue(canary, metric, facts, outcome);
}

/**
 * The template's provider (built for this check) and rendered query, noted in `facts` as they become known.
 * Throws with Flagger's message for the step that failed: reading the template or its Secret, building the
 * provider, rendering the query.
 */
async function prepareTemplateQuery(
  canary: Canary,
  metric: CanaryMetric,
  ctx: MetricCheckContext,
  facts: CheckFacts,
): Promise<{ provider: MetricsProvider; query: string }> {
  const { template, provider } = await templateProvider(canary, metric, ctx, 'Metric template', type => {
    facts.provider = type;
  });
  try {
    facts.query = renderQuery(template.spec.query, queryModel(canary, metric, ctx.route));
  } catch (err) {
    throw new Error(`Metric template ${templateId(canary, metric)} query render error: ${errorText(err)}`, {
      cause: err,
    });
  }
  return { provider, query: facts.query };
}

/**
 * The MetricTemplate of a metric and a provider built from it with its Secret. Each failure is an Error that
 * starts with `prefix` and the template's name, then says which step failed, as Flagger words it.
 */
export async function templateProvider(
  canary: Canary,
  metric: CanaryMetric,
  ctx: MetricCheckContext,
  prefix: string,
  onType?: (type: string) => void,
): Promise<{ template: MetricTemplate; provider: MetricsProvider }> {
  const name = metric.templateRef?.name ?? '';
  const namespace = templateNamespace(canary, metric);
  const step = async <T>(what: string, action: () => T | Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (err) {
      throw new Error(`${prefix} ${name}.${namespace} ${what}: ${errorText(err)}`, { cause: err });
    }
  };
  const template = await step('error', async () => {
    const found = await ctx.templates.get(namespace, name);
    if (found === undefined) throw new Error(`metrictemplate.flagger.app "${name}" not found`);
    return found;
  });
  const spec = template.spec.provider;
  onType?.(spec.type);
  const secretName = spec.secretRef?.name;
  const credentials =
    secretName === undefined
      ? undefined
      : await step(`secret ${secretName} error`, async () =>
          decodeSecretData(await ctx.secrets.get(namespace, secretName)),
        );
  const create = ctx.createProvider ?? createMetricsProvider;
  const interval = metricInterval(metric);
  const provider = await step(`provider ${spec.type} error`, () =>
    create(spec, credentials, {
      interval,
      ...(ctx.cluster !== undefined && { cluster: ctx.cluster }),
      ...(ctx.onWarning !== undefined && { onWarning: ctx.onWarning }),
    }),
  );
  const shared = ctx.coalescer?.wrap(provider, { provider: spec, credentials, interval });
  return { template, provider: shared ?? provider };
}

/** templateRef.namespace, else the canary's. */
export function templateNamespace(canary: Canary, metric: CanaryMetric): string {
  return metric.templateRef?.namespace ?? canary.metadata.namespace ?? '';
}

function templateId(canary: Canary, metric: CanaryMetric): string {
  return `${metric.templateRef?.name ?? ''}.${templateNamespace(canary, metric)}`;
}

/** Inline and template metrics: thresholdRange, or the legacy threshold as a maximum. */
function checkCustomValue(
  canary: Canary,
  metric: CanaryMetric,
  facts: CheckFacts,
  value: number,
): MetricCheck {
  const violation = findViolation(value, facts);
  if (violation === undefined) return passedIfFinite(canary, metric, facts, value, metric.name);
  return failed(metric, facts, 'Failed', customMetricHalt(canary, metric.name, value, violation), value);
}

/**
 * A value within the limits passes unless it is NaN or infinite: those compare as within any range (Flagger
 * passes them), yet they are no measurement but a division by zero or a garbled answer (Graphite's "NaN").
 */
function passedIfFinite(
  canary: Canary,
  metric: CanaryMetric,
  facts: CheckFacts,
  value: number,
  what: string,
): MetricCheck {
  if (Number.isFinite(value)) return passed(metric, facts, value);
  const message = `Halt ${canaryId(canary)} advancement ${what} ${goFloat(value)} is not a finite number`;
  return failed(metric, facts, 'Failed', message, value);
}

/** Built-in and inline metrics query the Prometheus of -metrics-server or spec.metricsServer. */
function prometheusFacts(metric: CanaryMetric, limits: Limits = {}): CheckFacts {
  return { provider: 'prometheus', interval: metricInterval(metric), ...limits };
}

/** The Prometheus of spec.metricsServer when set, else the controller's; a message when the URL is unusable. */
export function metricsServer(canary: Canary, ctx: MetricCheckContext): MetricsProvider | string {
  const server = canary.spec.metricsServer;
  if (server === undefined || server === '') return ctx.prometheus;
  try {
    const provider = new PrometheusProvider({ address: server });
    return ctx.coalescer?.wrap(provider, prometheusIdentity(server)) ?? provider;
  } catch (err) {
    return `Error building Prometheus client for ${redactUrl(server)} ${errorText(err)}`;
  }
}

/** How the coalescer knows a Prometheus server: the controller's and a canary's metricsServer may be the same. */
export function prometheusIdentity(address: string): unknown {
  return { prometheus: address };
}

async function run(provider: MetricsProvider, query: string, signal?: AbortSignal): Promise<number | Error> {
  try {
    return await provider.runQuery(query, signal);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function failed(
  metric: CanaryMetric,
  facts: CheckFacts,
  verdict: Exclude<CheckVerdict, 'Passed'>,
  message: string,
  value?: number,
): MetricCheck {
  return {
    ...facts,
    metric: metric.name,
    ok: false,
    verdict,
    // Bounded, whatever a provider quotes: the message goes into events, logs and the Canary's status.
    message: excerpt(message, MAX_MESSAGE_CHARS),
    ...(value !== undefined && { value }),
  };
}

function passed(metric: CanaryMetric, facts: CheckFacts, value: number): MetricCheck {
  return { ...facts, metric: metric.name, ok: true, verdict: 'Passed', value };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
