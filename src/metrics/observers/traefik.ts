// Traefik's built-in queries: the service metrics of the canary's TraefikService backend,
// <namespace>-<target>-canary-<port>@kubernetescrd. Successes are counted from the +Inf bucket by response code.
import { p99, ratioOfRates, series } from './promql.ts';
import type { MeshObserver } from './types.ts';

const METRIC = 'traefik_service_request_duration_seconds_bucket';
const CANARY = 'service=~"{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd"';
const ALL = 'le="+Inf"';

export const traefikObserver: MeshObserver = {
  queries: {
    'request-success-rate': ratioOfRates(
      series(METRIC, [CANARY, 'code!~"5.."', ALL]),
      series(METRIC, [CANARY, ALL]),
      100,
    ),
    // The query itself turns seconds into milliseconds.
    'request-duration': `${p99(series(METRIC, [CANARY]))} * 1000`,
  },
  durationUnitMs: 1,
};
