// Provider `kubernetes`: no mesh, only the ClusterIP Services, so blue/green is the only strategy (Flagger's
// NopRouter). Traffic never moves; the analysis targets <svc>-canary directly and promotion swaps the primary.
import type { Canary } from '../api/canary.ts';
import type { Router, RouterStatus, Routes } from './types.ts';

export class KubernetesRouter implements Router {
  /** Nothing to reconcile: the Services are the ServiceRouter's. */
  reconcile(): Promise<void> {
    return Promise.resolve();
  }

  setRoutes(): Promise<RouterStatus> {
    return Promise.resolve({});
  }

  /**
   * All traffic "on the canary" once the analysis has taken its first iteration, else on the primary, as
   * Flagger's NopRouter. Judged from the spec's iterations instead, the first step would never be seen: no
   * "Starting canary analysis" and no pre-rollout hooks, the usual gate of a blue/green release.
   */
  getRoutes(canary: Canary): Promise<Routes> {
    const started = (canary.status?.iterations ?? 0) > 0;
    return Promise.resolve({
      primaryWeight: started ? 0 : 100,
      canaryWeight: started ? 100 : 0,
      mirrored: false,
    });
  }

  /** Nothing was changed, so nothing to revert. */
  finalize(): Promise<void> {
    return Promise.resolve();
  }
}
