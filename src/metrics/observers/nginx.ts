// NGINX ingress's built-in queries: the controller's metrics of the canary ingress (canary!="" keeps the requests
// its canary backend served). The duration is the mean response time, not a percentile, in seconds times 1000.
import { ratioOfRates, series } from './promql.ts';
import type { MeshObserver } from './types.ts';

const CANARY = ['namespace="{{ namespace }}"', 'ingress="{{ ingress }}"', 'canary!=""'];
const RESPONSE_DURATION = 'nginx_ingress_controller_response_duration_seconds';

export const nginxObserver: MeshObserver = {
  queries: {
    'request-success-rate': ratioOfRates(
      series('nginx_ingress_controller_requests', [...CANARY, 'status!~"5.*"']),
      series('nginx_ingress_controller_requests', CANARY),
      100,
    ),
    'request-duration': ratioOfRates(
      series(`${RESPONSE_DURATION}_sum`, CANARY),
      series(`${RESPONSE_DURATION}_count`, CANARY),
      1000,
    ),
  },
  durationUnitMs: 1,
};
