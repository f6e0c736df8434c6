// The routing family: how traffic is split between `<svc>-primary` and `<svc>-canary`. One implementation per
// mesh/ingress provider behind Router, chosen by provider name through the registry; the ClusterIP Services
// that every provider builds on are made by the ServiceRouter.
import type { Canary, CanaryStatus } from '../api/canary.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../logging/logger.ts';
import type { TargetMetadata } from '../targets/types.ts';

/** A traffic split: weights add up to 100; mirrored means the canary also gets a copy of primary traffic. */
export interface Routes {
  primaryWeight: number;
  canaryWeight: number;
  mirrored: boolean;
}

/** Status fields a router maintains (session affinity cookies); the scheduler persists them. */
export type RouterStatus = Pick<
  CanaryStatus,
  'sessionAffinityCookie' | 'primarySessionAffinityCookie' | 'previousSessionAffinityCookie'
>;

export interface RouterDeps {
  /** Client of the cluster that holds the mesh objects (-kubeconfig-service-mesh), often the main one. */
  kube: KubeClient;
  logger: Logger;
  /** The target's selector label key (TargetMetadata.labelKey). */
  labelKey: string;
  /** False when the mesh objects live in another cluster: they then get no owner references. */
  setOwnerRefs: boolean;
  /** -ingress-class (Contour). */
  ingressClass: string;
  /** -ingress-annotations-prefix (NGINX). */
  ingressAnnotationsPrefix: string;
  /** -include-label-prefix: Service labels copied onto Gloo Upstreams. */
  includeLabelPrefix: string[];
}

/** Flagger's router.Interface. */
export interface Router {
  /** Creates or updates the provider's objects, keeping the current weights. */
  reconcile(canary: Canary): Promise<void>;
  /** Sets the split; returns the session affinity status to persist (empty when unused). */
  setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus>;
  getRoutes(canary: Canary): Promise<Routes>;
  /** On deletion with revertOnDeletion: restores what was there before Flagger. */
  finalize(canary: Canary): Promise<void>;
}

/** The apex, `-primary` and `-canary` ClusterIP Services (Flagger's KubernetesRouter). */
export interface ServiceRouter {
  /** Creates or updates `<svc>-primary` and `<svc>-canary`. */
  initialize(canary: Canary, metadata: TargetMetadata): Promise<void>;
  /** Creates or updates the apex `<svc>`, selecting the primary's pods. */
  reconcile(canary: Canary, metadata: TargetMetadata): Promise<void>;
  /** Points an apex Service that Flagger took over back at the target. */
  finalize(canary: Canary, metadata: TargetMetadata): Promise<void>;
}
