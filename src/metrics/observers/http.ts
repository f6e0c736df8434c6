// The built-in queries of the kubernetes and gatewayapi* providers (Flagger's HTTP observer): no mesh reports
// the traffic, so the application's own http_request_duration_seconds histogram of the target's pods is read.
import { p99, ratioOfRates, series, TARGET_PODS } from './promql.ts';
import type { MeshObserver } from './types.ts';

export const httpObserver: MeshObserver = {
  queries: {
    'request-success-rate': ratioOfRates(
      series('http_request_duration_seconds_count', [...TARGET_PODS, 'status!~"5.*"']),
      series('http_request_duration_seconds_count', TARGET_PODS),
      100,
    ),
    'request-duration': p99(series('http_request_duration_seconds_bucket', TARGET_PODS)),
  },
  // The histogram is in seconds; Flagger multiplies the result by 1000 in Go, not in the query.
  durationUnitMs: 1000,
};
