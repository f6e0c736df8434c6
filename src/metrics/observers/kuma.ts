// Kuma's built-in queries: Envoy's statistics of the canary service, tagged service="<target>-canary_<namespace>
// _svc_<port>" by Kuma. Like Flagger, the mesh is not selected, so equal service names in two meshes add up.
import { envoyObserver } from './promql.ts';
import type { MeshObserver } from './types.ts';

export const kumaObserver: MeshObserver = envoyObserver(
  ['service=~"{{ target }}-canary_{{ namespace }}_svc_[0-9a-zA-Z-]+"'],
  true,
);
