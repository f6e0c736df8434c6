// Knative's built-in queries: Envoy's statistics of the cluster <namespace>/<revision>; {{ route }} is the
// revision under analysis (Flagger puts the Service's latest created revision there).
import { envoyObserver } from './promql.ts';
import type { MeshObserver } from './types.ts';

export const knativeObserver: MeshObserver = envoyObserver(
  ['envoy_cluster_name=~"{{ namespace }}/{{ route }}"'],
  true,
);
