// Defaults that Flagger applies in code rather than in the CRD, as pure getters. Every consumer reads
// the effective value here instead of re-deriving it, so the rules live in one place.
import type { AlertProviderSpec } from './alert-provider.ts';
import type {
  CanaryAlert,
  CanaryAnalysis,
  CanaryMetric,
  CanaryWebhook,
  SessionAffinity,
} from './canary-analysis.ts';
import type { CanaryService, GatewayParentReference, ServiceMirror } from './canary-service.ts';
import type { CanarySpec } from './canary.ts';
import { parseDuration } from './duration.ts';
import { GATEWAY_API_GROUP } from './gateway-api-schemas.ts';

export const TOTAL_WEIGHT = 100;
export const DEFAULT_ANALYSIS_INTERVAL_MS = 60_000;
export const MIN_ANALYSIS_INTERVAL_MS = 10_000;
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
export const DEFAULT_READY_THRESHOLD = 100;
export const DEFAULT_METRIC_INTERVAL = '1m';
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const DEFAULT_SESSION_AFFINITY_MAX_AGE = 86_400;
export const DEFAULT_PORT_NAME = 'http';
export const DEFAULT_ALERT_CHANNEL = 'general';
export const DEFAULT_ALERT_USERNAME = 'flagger';
/** Iterations the kubernetes provider forces when a canary sets none (it can only do blue/green). */
export const KUBERNETES_PROVIDER_ITERATIONS = 10;

/**
 * Analysis period in ms: 60s when empty or unparseable, at least minMs (Flagger's 10s). Only tests and the local
 * playground lower minMs, to run a whole release in seconds.
 */
export function analysisIntervalMs(
  analysis: Pick<CanaryAnalysis, 'interval'> | undefined,
  minMs = MIN_ANALYSIS_INTERVAL_MS,
): number {
  const interval = analysis?.interval ?? '';
  const parsed = interval === '' ? undefined : parseDuration(interval);
  if (parsed === undefined) return DEFAULT_ANALYSIS_INTERVAL_MS;
  return Math.max(parsed, minMs);
}

/** Failed checks before rollback: 1 unless set above 0 (also when left out, which our CRD allows). */
export function analysisThreshold(analysis: Pick<CanaryAnalysis, 'threshold'>): number {
  return analysis.threshold !== undefined && analysis.threshold > 0 ? analysis.threshold : 1;
}

/** Weight at which the canary is promoted: the last stepWeights entry (at most 100), else maxWeight, else 100. */
export function maxWeight(analysis: Pick<CanaryAnalysis, 'maxWeight' | 'stepWeights'>): number {
  const lastStep = analysis.stepWeights?.at(-1);
  if (lastStep !== undefined) return Math.min(lastStep, TOTAL_WEIGHT);
  return analysis.maxWeight !== undefined && analysis.maxWeight > 0 ? analysis.maxWeight : TOTAL_WEIGHT;
}

/** Seconds a rollout may make no progress before it fails. An explicit 0 is kept, as Flagger does. */
export function progressDeadlineSeconds(spec: Pick<CanarySpec, 'progressDeadlineSeconds'>): number {
  return spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS;
}

/** Percentage of updated primary pods that must be available. */
export function primaryReadyThreshold(
  analysis: Pick<CanaryAnalysis, 'primaryReadyThreshold'> | undefined,
): number {
  return analysis?.primaryReadyThreshold ?? DEFAULT_READY_THRESHOLD;
}

/** Percentage of updated canary pods that must be available. */
export function canaryReadyThreshold(
  analysis: Pick<CanaryAnalysis, 'canaryReadyThreshold'> | undefined,
): number {
  return analysis?.canaryReadyThreshold ?? DEFAULT_READY_THRESHOLD;
}

/**
 * Query window of a metric: its interval, else 1m. Quirk Q10 fixed: Flagger applies the 1m default only to the
 * built-in and inline-query metrics and passes an empty {{ interval }} to templates; we default all of them.
 */
export function metricInterval(metric: Pick<CanaryMetric, 'interval'>): string {
  return metric.interval !== undefined && metric.interval !== '' ? metric.interval : DEFAULT_METRIC_INTERVAL;
}

/** Webhook request timeout in ms: 10s when shorter than two characters (Flagger's test) or unparseable. */
export function webhookTimeoutMs(webhook: Pick<CanaryWebhook, 'timeout'>): number {
  const timeout = webhook.timeout ?? '';
  // Unparseable values are rejected by validate.ts; 10s keeps this getter total.
  const parsed = timeout.length < 2 ? undefined : parseDuration(timeout);
  return parsed ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
}

export function webhookRetries(webhook: Pick<CanaryWebhook, 'retries'>): number {
  return webhook.retries ?? 0;
}

/** The hook type; an empty or missing type means `rollout`. */
export function webhookType(
  webhook: Pick<CanaryWebhook, 'type'>,
): Exclude<CanaryWebhook['type'], '' | undefined> {
  return webhook.type === undefined || webhook.type === '' ? 'rollout' : webhook.type;
}

/**
 * Lowest severity an alert receives. Quirk Q7 fixed: Flagger sends nothing to an alert without severity,
 * although its docs say the default is info; we treat empty as info.
 */
export function alertSeverity(alert: Pick<CanaryAlert, 'severity'>): 'info' | 'warn' | 'error' {
  return alert.severity === undefined || alert.severity === '' ? 'info' : alert.severity;
}

export function alertChannel(spec: Pick<AlertProviderSpec, 'channel'>): string {
  return spec.channel !== undefined && spec.channel !== '' ? spec.channel : DEFAULT_ALERT_CHANNEL;
}

export function alertUsername(spec: Pick<AlertProviderSpec, 'username'>): string {
  return spec.username !== undefined && spec.username !== '' ? spec.username : DEFAULT_ALERT_USERNAME;
}

export interface ServiceNames {
  apex: string;
  primary: string;
  canary: string;
}

/** Names of the generated Services: service.name (default targetRef.name), plus -primary and -canary. */
export function serviceNames(spec: Pick<CanarySpec, 'targetRef' | 'service'>): ServiceNames {
  const apex =
    spec.service?.name !== undefined && spec.service.name !== '' ? spec.service.name : spec.targetRef.name;
  return { apex, primary: `${apex}-primary`, canary: `${apex}-canary` };
}

export function servicePortName(service: Pick<CanaryService, 'portName'>): string {
  return service.portName !== undefined && service.portName !== '' ? service.portName : DEFAULT_PORT_NAME;
}

/** The Services' targetPort: service.targetPort unless unset (or 0 / ""), else service.port. */
export function serviceTargetPort(service: Pick<CanaryService, 'port' | 'targetPort'>): number | string {
  const { targetPort } = service;
  return targetPort === undefined || targetPort === 0 || targetPort === '' ? service.port : targetPort;
}

/** URL rewrite type: ReplacePrefixMatch only when spelled so, else ReplaceFullPath. */
export function rewriteType(rewrite: { type?: string }): 'ReplacePrefixMatch' | 'ReplaceFullPath' {
  return rewrite.type === 'ReplacePrefixMatch' ? 'ReplacePrefixMatch' : 'ReplaceFullPath';
}

/** A gatewayRefs entry with the CRD defaults filled in (objects created without the CRD lack them). */
export function gatewayParentRef(
  ref: GatewayParentReference,
): GatewayParentReference & Required<Pick<GatewayParentReference, 'group' | 'kind'>> {
  return { ...ref, group: ref.group ?? GATEWAY_API_GROUP, kind: ref.kind ?? 'Gateway' };
}

/**
 * A mirror backendRef with its defaults: kind Service, and group "" (the core group). The empty group is
 * applied here because our CRD cannot declare an empty-string default and still install on Kubernetes 1.20.
 */
export function mirrorBackendRef(
  mirror: ServiceMirror,
): ServiceMirror['backendRef'] & Required<Pick<ServiceMirror['backendRef'], 'group' | 'kind'>> {
  return {
    ...mirror.backendRef,
    group: mirror.backendRef.group ?? '',
    kind: mirror.backendRef.kind ?? 'Service',
  };
}

/** The events of service.retries.retryOn: comma-separated, each trimmed, empty ones left out. */
export function retryOnEvents(retries: CanaryService['retries']): string[] {
  return (retries?.retryOn ?? '')
    .split(',')
    .map(event => event.trim())
    .filter(event => event !== '');
}

/** Session affinity cookie Max-Age in seconds: 86400 unless set above 0. */
export function sessionAffinityMaxAge(affinity: Pick<SessionAffinity, 'maxAge'>): number {
  return affinity.maxAge !== undefined && affinity.maxAge > 0
    ? affinity.maxAge
    : DEFAULT_SESSION_AFFINITY_MAX_AGE;
}

/** True when the canary is promoted without analysis: skipAnalysis is set, or there is no analysis. */
export function skipAnalysis(spec: { skipAnalysis?: boolean; analysis?: unknown }): boolean {
  return spec.skipAnalysis === true || spec.analysis === undefined || spec.analysis === null;
}

/** The provider of a canary: spec.provider, else the controller's -mesh-provider. */
export function canaryProvider(spec: Pick<CanarySpec, 'provider'>, meshProvider: string): string {
  return spec.provider ?? meshProvider;
}

export type DeploymentStrategy = 'canary' | 'ab-testing' | 'blue-green';

/**
 * The analysis strategy: A/B testing when match conditions and iterations are set, blue/green with iterations
 * alone, else progressive canary. The kubernetes provider can only do blue/green: it ignores `match` and, with
 * no iterations, runs 10 (see analysisIterations).
 */
export function deploymentStrategy(
  analysis: Pick<CanaryAnalysis, 'iterations' | 'match'>,
  provider: string,
): DeploymentStrategy {
  if (provider === 'kubernetes') return 'blue-green';
  const iterations = analysis.iterations ?? 0;
  if (iterations > 0 && (analysis.match?.length ?? 0) > 0) return 'ab-testing';
  return iterations > 0 ? 'blue-green' : 'canary';
}

/** Iterations to run: analysis.iterations, raised to 10 for the kubernetes provider when below 1. */
export function analysisIterations(analysis: Pick<CanaryAnalysis, 'iterations'>, provider: string): number {
  const iterations = analysis.iterations ?? 0;
  return provider === 'kubernetes' && iterations < 1 ? KUBERNETES_PROVIDER_ITERATIONS : iterations;
}

/**
 * Whether traffic is mirrored to the canary: `mirror` with the canary strategy (the first step is mirrored)
 * or blue/green (mirrored for the whole test). A/B testing and the kubernetes provider ignore it.
 */
export function mirroringEnabled(
  analysis: Pick<CanaryAnalysis, 'iterations' | 'match' | 'mirror'>,
  provider: string,
): boolean {
  return (
    analysis.mirror === true &&
    provider !== 'kubernetes' &&
    deploymentStrategy(analysis, provider) !== 'ab-testing'
  );
}
