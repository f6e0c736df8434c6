// Provider `traefik` (Flagger's TraefikRouter): a TraefikService `<svc>` (traefik.io/v1alpha1) that
// IngressRoutes point at; its weighted round robin holds `<svc>-primary` and, while the canary gets traffic,
// `<svc>-canary`. No A/B testing (as in Flagger).
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../logging/logger.ts';
import { requireService } from './service-spec.ts';
import { readSplit, reconcileSplitObject, setSplit, type SplitObject } from './split-object.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';

export const TRAEFIK_API_VERSION = 'traefik.io/v1alpha1';

export interface TraefikWeightedService {
  name: string;
  namespace: string;
  port: number;
  /** Omitted at 0, as Go's omitempty writes it. */
  weight?: number;
}

export interface TraefikServiceSpec {
  weighted?: { services?: TraefikWeightedService[] };
}

export class TraefikRouter implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly setOwnerRefs: boolean;

  constructor(deps: Pick<RouterDeps, 'kube' | 'logger' | 'setOwnerRefs'>) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.setOwnerRefs = deps.setOwnerRefs;
  }

  async reconcile(canary: Canary): Promise<void> {
    const deps = { kube: this.kube, logger: this.logger, setOwnerRefs: this.setOwnerRefs };
    await reconcileSplitObject(deps, canary, traefikService(canary));
  }

  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    await setSplit(this.kube, traefikService(canary), routes);
    return {};
  }

  getRoutes(canary: Canary): Promise<Routes> {
    return readSplit(this.kube, traefikService(canary));
  }

  /** Nothing to revert, as in Flagger: a TraefikService that existed before the canary is not restored. */
  finalize(): Promise<void> {
    return Promise.resolve();
  }
}

function traefikService(canary: Canary): SplitObject<TraefikServiceSpec> {
  const names = serviceNames(canary.spec);
  return {
    ref: {
      apiVersion: TRAEFIK_API_VERSION,
      kind: 'TraefikService',
      name: names.apex,
      namespace: canary.metadata.namespace,
    },
    spec: routes => traefikServiceSpec(canary, routes),
    read: spec => {
      const primary = spec?.weighted?.services?.find(service => service.name === names.primary);
      if (primary === undefined) return undefined;
      const primaryWeight = primary.weight ?? 0;
      return { primaryWeight, canaryWeight: 100 - primaryWeight, mirrored: false };
    },
  };
}

/** The primary with its weight, then the canary only while it gets traffic (as in Flagger). */
export function traefikServiceSpec(canary: Canary, routes: Routes): TraefikServiceSpec {
  const names = serviceNames(canary.spec);
  const port = requireService(canary).port;
  const namespace = canary.metadata.namespace ?? '';
  const service = (name: string, weight: number): TraefikWeightedService => ({
    name,
    namespace,
    port,
    ...(weight === 0 ? {} : { weight }),
  });
  const services = [service(names.primary, routes.primaryWeight)];
  if (routes.canaryWeight > 0) services.push(service(names.canary, routes.canaryWeight));
  return { weighted: { services } };
}
