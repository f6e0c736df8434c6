// Open Service Mesh's built-in queries: the requests its proxies report for the target Deployment.
import { p99, ratioOfRates, series } from './promql.ts';
import type { MeshObserver } from './types.ts';

const DESTINATION = [
  'destination_namespace="{{ namespace }}"',
  'destination_kind="Deployment"',
  'destination_name="{{ target }}"',
];

export const osmObserver: MeshObserver = {
  queries: {
    'request-success-rate': ratioOfRates(
      series('osm_request_total', [...DESTINATION, 'response_code!~"5.*"']),
      series('osm_request_total', DESTINATION),
      100,
    ),
    'request-duration': p99(series('osm_request_duration_ms_bucket', DESTINATION)),
  },
  durationUnitMs: 1,
};
