// Contour's built-in queries: Envoy's statistics of the cluster Contour builds for the canary Service,
// <namespace>_<service>-canary_<port>. Flagger selects it by the Service name, which spec.service.name may set.
import { envoyObserver } from './promql.ts';
import type { MeshObserver } from './types.ts';

export const contourObserver: MeshObserver = envoyObserver(
  ['envoy_cluster_name=~"{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+"'],
  true,
);
