// Provider `skipper` (Flagger's SkipperRouter): a canary Ingress `<ingressRef>-canary` whose apex paths go to
// `<svc>-primary` and `<svc>-canary` with Skipper's backend weights; its Weight(100) predicate makes Skipper
// prefer its routes over the user's Ingress, which stays as it is. No A/B testing (as in Flagger).
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../logging/logger.ts';
import {
  canaryIngressRef,
  reconcileCanaryIngress,
  updateCanaryIngressAnnotations,
  type Ingress,
} from './canary-ingress.ts';
import { canaryLogger } from './generated-metadata.ts';
import {
  readRoutes,
  reconciledAnnotations,
  routedAnnotations,
  toPrimaryAndCanary,
} from './skipper-layout.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';

export class SkipperRouter implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly setOwnerRefs: boolean;

  constructor(deps: Pick<RouterDeps, 'kube' | 'logger' | 'setOwnerRefs'>) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.setOwnerRefs = deps.setOwnerRefs;
  }

  async reconcile(canary: Canary): Promise<void> {
    const names = serviceNames(canary.spec);
    await reconcileCanaryIngress(
      { kube: this.kube, logger: this.logger, setOwnerRefs: this.setOwnerRefs },
      canary,
      {
        rewrite: spec => toPrimaryAndCanary(spec, names),
        annotations: (user, current) => reconciledAnnotations(user, current, names),
      },
    );
  }

  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    const names = serviceNames(canary.spec);
    await updateCanaryIngressAnnotations(this.kube, canary, current =>
      routedAnnotations(current, names, routes),
    );
    return {};
  }

  async getRoutes(canary: Canary): Promise<Routes> {
    const ref = canaryIngressRef(canary);
    const ingress = await this.kube.get<Ingress>(ref);
    try {
      return readRoutes(ingress.metadata?.annotations ?? {}, serviceNames(canary.spec));
    } catch (err) {
      throw new Error(`ingress ${ref.name}.${ref.namespace ?? ''}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /**
   * Deletes the canary Ingress (grace period 2s, as in Flagger), so that only the user's Ingress routes. A
   * canary Ingress already gone is fine: Flagger fails there, which keeps the finalizer forever.
   */
  async finalize(canary: Canary): Promise<void> {
    const ref = canaryIngressRef(canary);
    const deleted = await this.kube.delete(ref, { gracePeriodSeconds: 2 });
    if (deleted) canaryLogger(this.logger, canary).info(`Ingress ${ref.name}.${ref.namespace ?? ''} deleted`);
  }
}
