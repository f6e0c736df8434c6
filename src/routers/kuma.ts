// Provider `kuma` (Flagger's KumaRouter): a cluster-scoped TrafficRoute `<svc>` (kuma.io/v1alpha1) in the mesh
// named by the Canary's `kuma.io/mesh` annotation, splitting the apex Kuma service between the primary and the
// canary ones. No A/B testing, mirroring or session affinity.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import { withFluxAnnotations } from '../api/generated-objects.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject, ObjectRef } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { canaryLogger } from './generated-metadata.ts';
import { semanticallyEqual } from './semantic-equal.ts';
import { requireService } from './service-spec.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';
import { upsert } from './upsert.ts';

export const KUMA_API_VERSION = 'kuma.io/v1alpha1';
export const KUMA_MESH_ANNOTATION = 'kuma.io/mesh';
const SERVICE_TAG = 'kuma.io/service';

export interface TrafficRouteSplit {
  weight: number;
  destination: Record<string, string>;
}

export interface TrafficRouteSpec {
  sources: { match: Record<string, string> }[];
  destinations: { match: Record<string, string> }[];
  conf: { split: TrafficRouteSplit[] };
}

/** Kuma keeps the mesh at the top level of the object, not in its spec. */
export type TrafficRoute = KubeObject & { mesh?: string; spec?: TrafficRouteSpec };

const INITIAL_ROUTES: Routes = { primaryWeight: 100, canaryWeight: 0, mirrored: false };

export class KumaRouter implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;

  /** No setOwnerRefs: a cluster-scoped TrafficRoute cannot be owned by a namespaced Canary. */
  constructor(deps: Pick<RouterDeps, 'kube' | 'logger'>) {
    this.kube = deps.kube;
    this.logger = deps.logger;
  }

  async reconcile(canary: Canary): Promise<void> {
    const ref = trafficRouteRef(canary);
    const result = await upsert<TrafficRoute>(this.kube, {
      ref,
      create: () => newTrafficRoute(canary),
      update: current => {
        // As in Flagger, the weights are not compared: a rewrite keeps the current split.
        const desired = trafficRouteSpec(canary, readTrafficRoute(canary, current.spec) ?? INITIAL_ROUTES);
        if (semanticallyEqual(desired, current.spec)) return false;
        current.spec = desired;
        return true;
      },
    });
    if (result !== 'unchanged') canaryLogger(this.logger, canary).info(`TrafficRoute ${ref.name} ${result}`);
  }

  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    await this.kube.modify<TrafficRoute>(trafficRouteRef(canary), current => {
      current.spec = trafficRouteSpec(canary, routes);
      return true;
    });
    return {};
  }

  async getRoutes(canary: Canary): Promise<Routes> {
    const ref = trafficRouteRef(canary);
    const routes = readTrafficRoute(canary, (await this.kube.get<TrafficRoute>(ref)).spec);
    if (routes === undefined) {
      const names = serviceNames(canary.spec);
      throw new Error(
        `TrafficRoute ${ref.name} does not contain routes for ${names.primary} and ${names.canary}`,
      );
    }
    return routes;
  }

  /** Nothing to revert, as in Flagger. */
  finalize(): Promise<void> {
    return Promise.resolve();
  }
}

function trafficRouteRef(canary: Canary): ObjectRef {
  return { apiVersion: KUMA_API_VERSION, kind: 'TrafficRoute', name: serviceNames(canary.spec).apex };
}

/** Kuma's name for the port of a Kubernetes Service: `<name>_<namespace>_svc_<port>`. */
function kumaService(canary: Canary, name: string): Record<string, string> {
  return { [SERVICE_TAG]: `${name}_${canary.metadata.namespace ?? ''}_svc_${requireService(canary).port}` };
}

/**
 * The TrafficRoute as Flagger creates it: service.apex annotations (Flagger puts no labels on it), or when there
 * are none the `<port>.service.kuma.io: http` annotation that declares the port's protocol to Kuma.
 */
export function newTrafficRoute(canary: Canary): TrafficRoute {
  const service = requireService(canary);
  const annotations = service.apex?.annotations ?? { [`${service.port}.service.kuma.io`]: 'http' };
  return {
    apiVersion: KUMA_API_VERSION,
    kind: 'TrafficRoute',
    metadata: { name: serviceNames(canary.spec).apex, annotations: withFluxAnnotations(annotations) },
    mesh: canary.metadata.annotations?.[KUMA_MESH_ANNOTATION] ?? 'default',
    spec: trafficRouteSpec(canary, INITIAL_ROUTES),
  };
}

/** Every source to the apex Kuma service, split between the primary (first) and the canary. */
export function trafficRouteSpec(canary: Canary, routes: Routes): TrafficRouteSpec {
  const names = serviceNames(canary.spec);
  return {
    sources: [{ match: { [SERVICE_TAG]: '*' } }],
    destinations: [{ match: kumaService(canary, names.apex) }],
    conf: {
      split: [
        { weight: routes.primaryWeight, destination: kumaService(canary, names.primary) },
        { weight: routes.canaryWeight, destination: kumaService(canary, names.canary) },
      ],
    },
  };
}

/** The split, from the primary's weight (as Flagger reads it); undefined without a primary destination. */
export function readTrafficRoute(canary: Canary, spec: TrafficRouteSpec | undefined): Routes | undefined {
  const primary = serviceNames(canary.spec).primary;
  const split = spec?.conf.split.find(entry => entry.destination[SERVICE_TAG]?.split('_')[0] === primary);
  if (split === undefined) return undefined;
  return { primaryWeight: split.weight, canaryWeight: 100 - split.weight, mirrored: false };
}
