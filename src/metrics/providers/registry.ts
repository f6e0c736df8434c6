// Metric providers by MetricTemplate provider type. Flagger falls back to Prometheus for a type it does not know;
// here the schema rejects an unknown type and the compiler checks that every type has a provider.
import type { MetricProviderType, MetricTemplateProvider } from '../../api/metric-template.ts';
import type { ClusterConnection } from '../../kube/client.ts';
import type { MetricsProvider } from '../types.ts';
import { CloudWatchProvider } from './cloudwatch.ts';
import { DatadogProvider } from './datadog.ts';
import { DynatraceProvider } from './dynatrace.ts';
import { ExternalMetricsProvider } from './externalmetrics.ts';
import { GraphiteProvider } from './graphite.ts';
import { InfluxdbProvider } from './influxdb.ts';
import { KeptnProvider, type KeptnKube } from './keptn.ts';
import { NewRelicProvider } from './newrelic.ts';
import { PrometheusProvider } from './prometheus.ts';
import { SplunkProvider } from './splunk.ts';
import { StackdriverProvider } from './stackdriver.ts';

export interface ProviderOptions {
  /** The metric's query window (a Go duration); providers that query a time range use it. */
  interval: string;
  /** The controller's own API access: Keptn reads and creates objects, external metrics speaks HTTP to it. */
  cluster?: ClusterAccess;
  /** Told of a problem that does not fail the check (a Keptn Analysis that could not be deleted). */
  onWarning?: (message: string) => void;
}

/** What KubeClient offers the providers that query the cluster itself. */
export interface ClusterAccess extends KeptnKube {
  connection(): Promise<ClusterConnection>;
}

/**
 * Builds a provider for one check (Flagger builds a new client for every check). `credentials` is the decoded
 * data of the template's Secret, present when the template has a secretRef. Throws when the spec is unusable.
 */
export type MetricsProviderFactory = (
  provider: MetricTemplateProvider,
  credentials: Readonly<Record<string, string>> | undefined,
  options: ProviderOptions,
) => MetricsProvider | Promise<MetricsProvider>;

export const METRICS_PROVIDERS: Record<MetricProviderType, MetricsProviderFactory> = {
  prometheus: (provider, credentials) => PrometheusProvider.fromTemplate(provider, credentials),
  datadog: (provider, credentials, { interval }) =>
    DatadogProvider.fromTemplate(provider, credentials, interval),
  newrelic: (provider, credentials, { interval }) =>
    NewRelicProvider.fromTemplate(provider, credentials, interval),
  graphite: (provider, credentials) => GraphiteProvider.fromTemplate(provider, credentials),
  influxdb: (provider, credentials) => InfluxdbProvider.fromTemplate(provider, credentials),
  dynatrace: (provider, credentials, { interval }) =>
    DynatraceProvider.fromTemplate(provider, credentials, interval),
  splunk: (provider, credentials, { interval }) =>
    SplunkProvider.fromTemplate(provider, credentials, interval),
  stackdriver: (_provider, credentials) => StackdriverProvider.fromTemplate(credentials),
  // The official SDK client, with its default credential chain (environment, web identity, instance role).
  cloudwatch: (provider, _credentials, { interval }) => CloudWatchProvider.fromTemplate(provider, interval),
  keptn: (_provider, _credentials, { cluster, onWarning }) =>
    new KeptnProvider({
      kube: requireCluster('keptn', cluster),
      onCleanupError: (name, err) =>
        onWarning?.(
          `could not delete Keptn Analysis ${name}: ${err instanceof Error ? err.message : String(err)}`,
        ),
    }),
  // The connection is read for each check: the controller's token may have rotated.
  externalmetrics: async (provider, credentials, { cluster }) =>
    ExternalMetricsProvider.fromTemplate(provider, credentials, await cluster?.connection()),
};

function requireCluster(type: string, cluster: ClusterAccess | undefined): ClusterAccess {
  if (cluster === undefined) throw new Error(`${type}: Not in a kubernetes cluster`);
  return cluster;
}

export function createMetricsProvider(
  provider: MetricTemplateProvider,
  credentials: Readonly<Record<string, string>> | undefined,
  options: ProviderOptions,
): MetricsProvider | Promise<MetricsProvider> {
  // The type comes from an API object: guard against one the schema of an older CRD let through.
  const factory = Object.hasOwn(METRICS_PROVIDERS, provider.type)
    ? METRICS_PROVIDERS[provider.type]
    : undefined;
  if (factory === undefined) {
    const known = Object.keys(METRICS_PROVIDERS).join(', ');
    throw new Error(`unsupported metrics provider type "${provider.type}" (supported: ${known})`);
  }
  return factory(provider, credentials, options);
}
