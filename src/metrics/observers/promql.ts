// Builders for the built-in PromQL of the meshes. They lay the query out the way Flagger's observers do, so that
// after whitespace collapsing (the Prometheus provider collapses every run into one space) Prometheus receives the
// very string Flagger sends, down to the trailing comma some of Flagger's selectors end with.
import type { MeshObserver } from './types.ts';

/**
 * A series selector, metric{ m1, m2 }. `trailingComma` copies the stray comma that closes several of Flagger's
 * selectors (contour, gloo, kuma, knative): Prometheus accepts it, and keeping it keeps the query identical.
 */
export function series(metric: string, matchers: readonly string[], trailingComma = false): string {
  return `${metric}{\n${matchers.join(',\n')}${trailingComma ? ',' : ''}\n}`;
}

/** sum(rate(numerator)) / sum(rate(denominator)) * factor, both rates over {{ interval }}. */
export function ratioOfRates(numerator: string, denominator: string, factor: number): string {
  const sumOfRate = (selector: string) => `sum(\nrate(\n${selector}[{{ interval }}]\n)\n)`;
  return `\n${sumOfRate(numerator)}\n/\n${sumOfRate(denominator)}\n* ${factor}`;
}

/** The 99th percentile of a classic histogram's buckets over {{ interval }}, in the histogram's unit. */
export function p99(buckets: string): string {
  return `\nhistogram_quantile(\n0.99,\nsum(\nrate(\n${buckets}[{{ interval }}]\n)\n) by (le)\n)`;
}

/** The pods of the target's ReplicaSets, <target>-<hash>-<id>, as Prometheus' pod discovery labels them. */
export const TARGET_PODS = [
  'kubernetes_namespace="{{ namespace }}"',
  'kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"',
] as const;

/**
 * Envoy's upstream cluster statistics (requests by response code, a latency histogram in milliseconds), the
 * observer of every Envoy-based provider; `matchers` select the canary's cluster.
 */
export function envoyObserver(matchers: readonly string[], trailingComma: boolean): MeshObserver {
  const requests = (extra: readonly string[], comma: boolean) =>
    series('envoy_cluster_upstream_rq', [...matchers, ...extra], comma);
  return {
    queries: {
      'request-success-rate': ratioOfRates(
        requests(['envoy_response_code!~"5.*"'], false),
        requests([], trailingComma),
        100,
      ),
      'request-duration': p99(series('envoy_cluster_upstream_rq_time_bucket', matchers, trailingComma)),
    },
    durationUnitMs: 1,
  };
}
