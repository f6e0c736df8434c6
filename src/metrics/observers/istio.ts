// Istio's built-in queries: the telemetry v2 metrics reported by the destination's sidecar. The PromQL is
// Flagger's (after whitespace collapsing, which the Prometheus provider applies anyway).
import type { MeshObserver } from './types.ts';

const SELECTOR = `
  reporter="destination",
  destination_workload_namespace="{{ namespace }}",
  destination_workload=~"{{ target }}"`;

export const istioObserver: MeshObserver = {
  queries: {
    'request-success-rate': `
      sum(
        rate(
          istio_requests_total{${SELECTOR},
            response_code!~"5.*"
          }[{{ interval }}]
        )
      )
      /
      sum(
        rate(
          istio_requests_total{${SELECTOR}
          }[{{ interval }}]
        )
      )
      * 100`,
    'request-duration': `
      histogram_quantile(
        0.99,
        sum(
          rate(
            istio_request_duration_milliseconds_bucket{${SELECTOR}
            }[{{ interval }}]
          )
        ) by (le)
      )`,
  },
  durationUnitMs: 1,
};
