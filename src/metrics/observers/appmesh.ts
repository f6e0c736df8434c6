// App Mesh's built-in queries: the Envoy sidecar's upstream statistics of the target's pods (Flagger's appmesh
// observer, used for every appmesh* provider).
import { envoyObserver, TARGET_PODS } from './promql.ts';
import type { MeshObserver } from './types.ts';

export const appMeshObserver: MeshObserver = envoyObserver(TARGET_PODS, false);
