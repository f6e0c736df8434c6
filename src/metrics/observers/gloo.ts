// Gloo's built-in queries: Envoy's statistics of the canary Upstream Flagger creates,
// <namespace>-<target>-canaryupstream-<port>, whose Envoy cluster is <upstream>_<upstream namespace>.
import { envoyObserver } from './promql.ts';
import type { MeshObserver } from './types.ts';

export const glooObserver: MeshObserver = envoyObserver(
  ['envoy_cluster_name=~"{{ namespace }}-{{ target }}-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+"'],
  true,
);
