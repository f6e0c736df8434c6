// Semantic rules for Canary.spec.analysis: values the CRD accepts but that cannot work.
import {
  BUILTIN_METRICS,
  type CanaryAnalysis,
  type CanaryMetric,
  type MetricComparison,
  type CanaryWebhook,
} from './canary-analysis.ts';
import { deploymentStrategy, maxWeight } from './defaults.ts';
import { parseProvider, PROVIDER_FEATURES } from './providers.ts';
import { checkDuration, checkInteger, checkUrl, problem, type Problem } from './validate-kit.ts';

const PATH = 'spec.analysis';
const PERCENT = { min: 0, max: 100 };
const WEIGHT = { min: 1, max: 100 };

/**
 * `provider` is the canary's effective provider, when known.
 * Deliberately not a problem: `match` without iterations. That is not A/B testing, but the routers that
 * support match conditions (Istio, Gateway API) apply them to the weighted route, i.e. a canary for matching
 * requests only. It works in Flagger and is a meaningful setup, so we accept it.
 */
export function validateAnalysis(analysis: CanaryAnalysis, provider: string | undefined): Problem[] {
  return [
    ...checkDuration(`${PATH}.interval`, analysis.interval),
    ...checkDuration(`${PATH}.delay`, analysis.delay),
    ...checkInteger(`${PATH}.threshold`, analysis.threshold, { min: 0 }),
    ...checkInteger(`${PATH}.iterations`, analysis.iterations, { min: 0 }),
    ...weightProblems(analysis),
    ...checkInteger(`${PATH}.mirrorWeight`, analysis.mirrorWeight, PERCENT),
    ...checkInteger(`${PATH}.primaryReadyThreshold`, analysis.primaryReadyThreshold, PERCENT),
    ...checkInteger(`${PATH}.canaryReadyThreshold`, analysis.canaryReadyThreshold, PERCENT),
    ...mirrorProblems(analysis, provider),
    ...sessionAffinityProblems(analysis, provider),
    ...strategySupportProblems(analysis, provider),
    ...(analysis.metrics ?? []).flatMap((metric, index) =>
      metricProblems(metric, `${PATH}.metrics[${index}]`),
    ),
    ...(analysis.webhooks ?? []).flatMap((webhook, index) =>
      webhookProblems(webhook, `${PATH}.webhooks[${index}]`),
    ),
  ];
}

function weightProblems(analysis: CanaryAnalysis): Problem[] {
  const problems = [
    ...checkInteger(`${PATH}.maxWeight`, analysis.maxWeight, WEIGHT),
    ...checkInteger(`${PATH}.stepWeight`, analysis.stepWeight, WEIGHT),
    ...checkInteger(`${PATH}.stepWeightPromotion`, analysis.stepWeightPromotion, PERCENT),
    ...stepWeightsProblems(analysis.stepWeights ?? []),
  ];
  const ceiling = maxWeight(analysis);
  if (analysis.stepWeight !== undefined && analysis.stepWeight > ceiling) {
    problems.push(
      problem(`${PATH}.stepWeight`, `(${analysis.stepWeight}) must not exceed maxWeight (${ceiling})`),
    );
  }
  return problems;
}

function stepWeightsProblems(steps: readonly number[]): Problem[] {
  return steps.flatMap((step, index) => {
    const field = `${PATH}.stepWeights[${index}]`;
    const previous = index > 0 ? steps[index - 1] : undefined;
    if (previous !== undefined && step <= previous) {
      return [
        problem(
          field,
          `(${step}) must be greater than the step before it (${previous}): weights only increase`,
        ),
      ];
    }
    return checkInteger(field, step, WEIGHT);
  });
}

function mirrorProblems(analysis: CanaryAnalysis, provider: string | undefined): Problem[] {
  if (analysis.mirror !== true) return [];
  if (provider === 'kubernetes') {
    return [
      problem(`${PATH}.mirror`, 'has no effect with the kubernetes provider, which cannot route traffic'),
    ];
  }
  if (deploymentStrategy(analysis, provider ?? '') === 'ab-testing') {
    return [
      problem(`${PATH}.mirror`, 'has no effect with A/B testing (match with iterations): remove it or match'),
    ];
  }
  return [];
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function sessionAffinityProblems(analysis: CanaryAnalysis, provider: string | undefined): Problem[] {
  const affinity = analysis.sessionAffinity;
  if (affinity === undefined) return [];
  const field = `${PATH}.sessionAffinity`;
  const problems = checkInteger(`${field}.maxAge`, affinity.maxAge, { min: 1 });
  for (const name of ['cookieName', 'primaryCookieName'] as const) {
    const value = affinity[name];
    if (value !== undefined && !COOKIE_NAME.test(value)) {
      problems.push(
        problem(
          `${field}.${name}`,
          `must be a cookie name (letters, digits, !#$%&'*+-.^_\`|~), got "${value}"`,
        ),
      );
    }
  }
  if (affinity.primaryCookieName !== undefined && affinity.primaryCookieName === affinity.cookieName) {
    problems.push(problem(`${field}.primaryCookieName`, 'must be different from cookieName'));
  }
  // Cookies pin clients while traffic is split by weight; A/B and blue/green never split it that way.
  const strategy = deploymentStrategy(analysis, provider ?? '');
  if (strategy !== 'canary') {
    problems.push(
      problem(field, `needs progressive traffic shifting (stepWeight or stepWeights), not ${strategy}`),
    );
  }
  return problems;
}

/**
 * Strategies the provider's router cannot carry out. Flagger runs them anyway: A/B on a router without match
 * support sends all traffic to the canary (it sets the canary's weight to 100 for matching requests, and every
 * request matches), and mirroring or cookies are silently dropped. The canary is reported instead.
 */
function strategySupportProblems(analysis: CanaryAnalysis, provider: string | undefined): Problem[] {
  const parsed = provider === undefined ? undefined : parseProvider(provider)?.provider;
  if (parsed === undefined) return [];
  const features = PROVIDER_FEATURES[parsed];
  const strategy = deploymentStrategy(analysis, parsed);
  const problems: Problem[] = [];
  if (strategy === 'ab-testing' && !features.abTesting) {
    problems.push(
      problem(
        `${PATH}.match`,
        `A/B testing is not supported by the ${parsed} provider, which would send all traffic to the canary`,
      ),
    );
  }
  if (analysis.mirror === true && features.mirroring === 'never') {
    problems.push(problem(`${PATH}.mirror`, `mirroring is not supported by the ${parsed} provider`));
  }
  if (analysis.mirror === true && features.mirroring === 'blue-green' && strategy === 'canary') {
    problems.push(
      problem(`${PATH}.mirror`, `the ${parsed} provider mirrors only with blue/green (iterations, no match)`),
    );
  }
  if (analysis.sessionAffinity !== undefined && !features.sessionAffinity) {
    problems.push(
      problem(`${PATH}.sessionAffinity`, `session affinity is not supported by the ${parsed} provider`),
    );
  }
  return problems;
}

function isBuiltinMetric(name: string): boolean {
  return (BUILTIN_METRICS as readonly string[]).includes(name);
}

/** compare.method proportion judges a percentage of the requests that compare.sampleQuery counts. */
function proportionProblems(metric: CanaryMetric, counted: boolean, field: string): Problem[] {
  return [
    ...(counted
      ? []
      : [problem(`${field}.method`, 'proportion needs compare.sampleQuery to count the requests')]),
    ...(metric.name === 'request-duration' && metric.templateRef === undefined
      ? [problem(`${field}.method`, 'proportion needs a percentage of requests; request-duration is not one')]
      : []),
  ];
}

/** Fields of metric.compare that do nothing, or that a method cannot work without. */
function comparisonProblems(metric: CanaryMetric, compare: MetricComparison, field: string): Problem[] {
  const problems: Problem[] = [];
  const counted = (compare.sampleQuery ?? '').trim() !== '';
  if (compare.minSamples !== undefined && !counted) {
    problems.push(problem(`${field}.minSamples`, 'needs compare.sampleQuery to count the samples'));
  }
  const statistical = compare.method !== undefined && compare.method !== 'tolerance';
  for (const key of ['confidence', 'minEffect'] as const) {
    if (compare[key] !== undefined && !statistical) {
      problems.push(problem(`${field}.${key}`, 'applies to a statistical compare.method (proportion) only'));
    }
  }
  for (const key of ['maxRelativeDegradation', 'maxAbsoluteDegradation'] as const) {
    if (compare[key] !== undefined && statistical) {
      problems.push(
        problem(`${field}.${key}`, `applies to compare.method tolerance only, not ${String(compare.method)}`),
      );
    }
  }
  if (compare.method === 'proportion') problems.push(...proportionProblems(metric, counted, field));
  return problems;
}

function metricProblems(metric: CanaryMetric, field: string): Problem[] {
  const problems = checkDuration(`${field}.interval`, metric.interval);
  const range = metric.thresholdRange;
  if (range?.min !== undefined && range.max !== undefined && range.min > range.max) {
    problems.push(
      problem(`${field}.thresholdRange`, `min (${range.min}) must not be greater than max (${range.max})`),
    );
  }
  if (metric.compare !== undefined)
    problems.push(...comparisonProblems(metric, metric.compare, `${field}.compare`));
  const usable =
    metric.templateRef !== undefined || isBuiltinMetric(metric.name) || (metric.query ?? '').trim() !== '';
  if (!usable) {
    problems.push(
      problem(
        field,
        `("${metric.name}") needs a templateRef, an inline query, or a built-in name (${BUILTIN_METRICS.join(', ')})`,
      ),
    );
  }
  return problems;
}

function webhookProblems(webhook: CanaryWebhook, field: string): Problem[] {
  return [
    ...checkUrl(`${field}.url`, webhook.url),
    ...checkDuration(`${field}.timeout`, webhook.timeout),
    ...checkInteger(`${field}.retries`, webhook.retries, { min: 0 }),
    ...secretRefProblems(webhook, `${field}.secretRef`),
  ];
}

/** Extension: the token of secretRef and the user info of the URL would both be the Authorization header. */
function secretRefProblems(webhook: CanaryWebhook, field: string): Problem[] {
  if (webhook.secretRef === undefined) return [];
  if (webhook.secretRef.name === '') return [problem(`${field}.name`, 'must name a Secret')];
  const url = URL.parse(webhook.url);
  if (url !== null && (url.username !== '' || url.password !== ''))
    return [problem(field, 'cannot be used with user info in url: both would set the Authorization header')];
  return [];
}
