// APISIX's built-in queries: the gateway's metrics of the canary route Flagger generates from the ApisixRoute,
// named <namespace>_<route>-<target>-canary_<rule>.
import { p99, ratioOfRates, series } from './promql.ts';
import type { MeshObserver } from './types.ts';

const CANARY_ROUTE = 'route=~"{{ namespace }}_{{ route }}-{{ target }}-canary_.+"';

export const apisixObserver: MeshObserver = {
  queries: {
    'request-success-rate': ratioOfRates(
      series('apisix_http_status', [CANARY_ROUTE, 'code!~"5.."']),
      series('apisix_http_status', [CANARY_ROUTE]),
      100,
    ),
    // type="request": the whole request's latency, not only the upstream's or APISIX's own share.
    'request-duration': p99(series('apisix_http_latency_bucket', ['type=~"request"', CANARY_ROUTE])),
  },
  durationUnitMs: 1,
};
