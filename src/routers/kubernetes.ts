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
   * All traffic "on the canary" when the spec sets iterations, else on the primary, as Flagger's NopRouter. It
   * reads spec.analysis.iterations, not analysisIterations(): Flagger reads the routes before forcing 10.
   */
  getRoutes(canary: Canary): Promise<Routes> {
    const blueGreen = (canary.spec.analysis.iterations ?? 0) > 0;
    return Promise.resolve({
      primaryWeight: blueGreen ? 0 : 100,
      canaryWeight: blueGreen ? 100 : 0,
      mirrored: false,
    });
  }

  /** Nothing was changed, so nothing to revert. */
  finalize(): Promise<void> {
    return Promise.resolve();
  }
}
