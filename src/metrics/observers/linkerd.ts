// Linkerd's built-in queries: the inbound response metrics of the target's proxies (response_total classified
// by the proxy, and the response_latency_ms histogram), as in Flagger's linkerd observer.
import { p99, ratioOfRates, series } from './promql.ts';
import type { MeshObserver } from './types.ts';

const WORKLOAD = ['namespace="{{ namespace }}"', 'deployment=~"{{ target }}"'];
const INBOUND = 'direction="inbound"';

export const linkerdObserver: MeshObserver = {
  queries: {
    'request-success-rate': ratioOfRates(
      series('response_total', [...WORKLOAD, 'classification!="failure"', INBOUND]),
      series('response_total', [...WORKLOAD, INBOUND]),
      100,
    ),
    'request-duration': p99(series('response_latency_ms_bucket', [...WORKLOAD, INBOUND])),
  },
  durationUnitMs: 1,
};
