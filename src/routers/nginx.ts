// Provider `nginx` (Flagger's IngressRouter): a canary Ingress `<ingressRef>-canary`, a copy of the user's
// Ingress whose backend `<svc>` becomes `<svc>-canary`; ingress-nginx's canary annotations carry the split or
// the A/B conditions. The user's Ingress keeps serving the apex Service, i.e. the primary.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../logging/logger.ts';
import {
  canaryIngressRef,
  httpPaths,
  reconcileCanaryIngress,
  updateCanaryIngressAnnotations,
  type Ingress,
  type IngressSpec,
} from './canary-ingress.ts';
import { disabledCanary, readRoutes, routedAnnotations } from './nginx-annotations.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';

export class NginxRouter implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly setOwnerRefs: boolean;
  private readonly prefix: string;

  constructor(deps: Pick<RouterDeps, 'kube' | 'logger' | 'setOwnerRefs' | 'ingressAnnotationsPrefix'>) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.setOwnerRefs = deps.setOwnerRefs;
    this.prefix = deps.ingressAnnotationsPrefix;
  }

  /**
   * Keeps the canary Ingress's spec in line with the user's Ingress. Its annotations are set once, at
   * creation (the user's, canary switched off); afterwards they belong to setRoutes, as in Flagger.
   */
  async reconcile(canary: Canary): Promise<void> {
    const names = serviceNames(canary.spec);
    await reconcileCanaryIngress(
      { kube: this.kube, logger: this.logger, setOwnerRefs: this.setOwnerRefs },
      canary,
      {
        rewrite: spec => toCanaryBackend(spec, names.apex, names.canary),
        annotations: (user, current) => current ?? disabledCanary(this.prefix, user),
      },
    );
  }

  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    await updateCanaryIngressAnnotations(this.kube, canary, current =>
      routedAnnotations(this.prefix, canary, routes.canaryWeight, current),
    );
    return {};
  }

  async getRoutes(canary: Canary): Promise<Routes> {
    const ingress = await this.kube.get<Ingress>(canaryIngressRef(canary));
    return readRoutes(this.prefix, canary, ingress.metadata?.annotations ?? {});
  }

  /** Nothing to revert (as in Flagger): the user's Ingress was never changed. */
  finalize(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Points the paths whose backend is the apex Service at the canary Service (all of them: the canary Ingress
 * must send nothing to the apex); false when there is none.
 */
export function toCanaryBackend(spec: IngressSpec, apex: string, canaryService: string): boolean {
  let found = false;
  for (const paths of httpPaths(spec)) {
    for (const path of paths) {
      if (path.backend.service?.name !== apex) continue;
      path.backend.service.name = canaryService;
      found = true;
    }
  }
  return found;
}
