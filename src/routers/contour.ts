// Provider `contour` (Flagger's ContourRouter): an HTTPProxy `<svc>` (projectcontour.io/v1), for other
// HTTPProxies to include, whose first route splits traffic between `<svc>-primary` and `<svc>-canary`.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../logging/logger.ts';
import { CONTOUR_API_VERSION, httpProxySpec, readRoutes, type HttpProxySpec } from './contour-proxy.ts';
import { readSplit, reconcileSplitObject, setSplit, type SplitObject } from './split-object.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';

export class ContourRouter implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly setOwnerRefs: boolean;
  private readonly ingressClass: string;

  constructor(deps: Pick<RouterDeps, 'kube' | 'logger' | 'setOwnerRefs' | 'ingressClass'>) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.setOwnerRefs = deps.setOwnerRefs;
    this.ingressClass = deps.ingressClass;
  }

  async reconcile(canary: Canary): Promise<void> {
    const deps = { kube: this.kube, logger: this.logger, setOwnerRefs: this.setOwnerRefs };
    await reconcileSplitObject(deps, canary, this.proxy(canary));
  }

  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    await setSplit(this.kube, this.proxy(canary), routes);
    return {};
  }

  getRoutes(canary: Canary): Promise<Routes> {
    return readSplit(this.kube, this.proxy(canary));
  }

  /** Nothing to revert, as in Flagger: an HTTPProxy that existed before the canary is not restored. */
  finalize(): Promise<void> {
    return Promise.resolve();
  }

  private proxy(canary: Canary): SplitObject<HttpProxySpec> {
    return {
      ref: {
        apiVersion: CONTOUR_API_VERSION,
        kind: 'HTTPProxy',
        name: serviceNames(canary.spec).apex,
        namespace: canary.metadata.namespace,
      },
      spec: routes => httpProxySpec(canary, routes, this.ingressClass),
      read: spec => readRoutes(canary, spec),
    };
  }
}
