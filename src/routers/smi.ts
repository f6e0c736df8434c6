// Providers `linkerd`, `smi:v1alpha1|2|3[:<mesh>]` and `osm` (Flagger's SmiRouter, Smiv1alpha2Router and
// Smiv1alpha3Router): one SMI TrafficSplit `<svc>` (split.smi-spec.io) whose backends are `<svc>-canary` and
// `<svc>-primary`. The three SMI versions differ only in the apiVersion and in how a weight is written, so they
// share this implementation with the version as an option. No A/B testing, mirroring or session affinity.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import { canaryOwnerReference } from '../api/generated-objects.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject, ObjectRef } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { canaryLogger } from './generated-metadata.ts';
import { semanticallyEqual } from './semantic-equal.ts';
import { requireService } from './service-spec.ts';
import { readSmiWeight } from './smi-weight.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';
import { upsert } from './upsert.ts';

export type SmiVersion = 'v1alpha1' | 'v1alpha2' | 'v1alpha3';

/** Read by the Istio SMI adapter: the gateways the VirtualService it generates binds to. */
export const ISTIO_GATEWAYS_ANNOTATION = 'VirtualService.v1alpha3.networking.istio.io/spec.gateways';

export interface TrafficSplitBackend {
  service: string;
  /** v1alpha1: a resource.Quantity, written as a string ("100"); v1alpha2 and v1alpha3: an integer. */
  weight: string | number;
}

export interface TrafficSplitSpec {
  service: string;
  backends?: TrafficSplitBackend[];
}

type TrafficSplit = KubeObject & { spec?: TrafficSplitSpec };

export interface SmiOptions {
  version: SmiVersion;
  /** The mesh that reads the TrafficSplit (`smi:<version>:<mesh>`, linkerd, osm). */
  mesh?: string;
}

const INITIAL_ROUTES: Routes = { primaryWeight: 100, canaryWeight: 0, mirrored: false };

export class SmiRouter implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly setOwnerRefs: boolean;
  private readonly options: SmiOptions;

  constructor(deps: Pick<RouterDeps, 'kube' | 'logger' | 'setOwnerRefs'>, options: SmiOptions) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.setOwnerRefs = deps.setOwnerRefs;
    this.options = options;
  }

  async reconcile(canary: Canary): Promise<void> {
    const ref = this.ref(canary);
    const result = await upsert<TrafficSplit>(this.kube, {
      ref,
      create: () => ({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: {
          name: ref.name,
          namespace: ref.namespace,
          // Flagger puts no Flux or service.apex metadata on a TrafficSplit, only the Istio gateways.
          ...this.annotations(canary),
          ...(this.setOwnerRefs ? { ownerReferences: [canaryOwnerReference(canary)] } : {}),
        },
        spec: trafficSplitSpec(canary, INITIAL_ROUTES, this.options.version),
      }),
      update: current => {
        // As in Flagger, the weights are not compared: a rewrite keeps the current split.
        const kept = readTrafficSplit(canary, current.spec) ?? INITIAL_ROUTES;
        const desired = trafficSplitSpec(canary, kept, this.options.version);
        if (semanticallyEqual(desired, current.spec)) return false;
        current.spec = desired;
        return true;
      },
    });
    if (result !== 'unchanged') {
      canaryLogger(this.logger, canary).info(`TrafficSplit ${ref.name}.${ref.namespace ?? ''} ${result}`);
    }
  }

  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    const { version } = this.options;
    await this.kube.modify<TrafficSplit>(this.ref(canary), current => {
      // Only the backends: spec.service stays what the reconcile wrote.
      const backends = trafficSplitSpec(canary, routes, version).backends;
      current.spec = { ...(current.spec ?? { service: serviceNames(canary.spec).apex }), backends };
      return true;
    });
    return {};
  }

  async getRoutes(canary: Canary): Promise<Routes> {
    const ref = this.ref(canary);
    const split = await this.kube.get<TrafficSplit>(ref);
    const routes = readTrafficSplit(canary, split.spec);
    if (routes === undefined) {
      const names = serviceNames(canary.spec);
      throw new Error(
        `TrafficSplit ${ref.name}.${ref.namespace ?? ''} does not contain routes for ${names.primary} and ${names.canary}`,
      );
    }
    return routes;
  }

  /** Nothing to revert, as in Flagger. */
  finalize(): Promise<void> {
    return Promise.resolve();
  }

  private ref(canary: Canary): ObjectRef {
    return {
      apiVersion: `split.smi-spec.io/${this.options.version}`,
      kind: 'TrafficSplit',
      name: serviceNames(canary.spec).apex,
      namespace: canary.metadata.namespace,
    };
  }

  private annotations(canary: Canary): { annotations?: Record<string, string> } {
    const gateways = requireService(canary).gateways ?? [];
    if (this.options.mesh !== 'istio' || gateways.length === 0) return {};
    return { annotations: { [ISTIO_GATEWAYS_ANNOTATION]: JSON.stringify(gateways) } };
  }
}

/** `linkerd`: the SMI v1alpha1 TrafficSplit read by Linkerd. */
export function linkerdRouter(deps: Pick<RouterDeps, 'kube' | 'logger' | 'setOwnerRefs'>): SmiRouter {
  return new SmiRouter(deps, { version: 'v1alpha1', mesh: 'linkerd' });
}

/** `osm`: the SMI v1alpha2 TrafficSplit read by Open Service Mesh. */
export function osmRouter(deps: Pick<RouterDeps, 'kube' | 'logger' | 'setOwnerRefs'>): SmiRouter {
  return new SmiRouter(deps, { version: 'v1alpha2', mesh: 'osm' });
}

/** The split toward service.hosts[0] (else the apex): canary first, then primary, as Flagger writes it. */
export function trafficSplitSpec(canary: Canary, routes: Routes, version: SmiVersion): TrafficSplitSpec {
  const names = serviceNames(canary.spec);
  const weight = (value: number): string | number => (version === 'v1alpha1' ? String(value) : value);
  return {
    service: requireService(canary).hosts?.[0] ?? names.apex,
    backends: [
      { service: names.canary, weight: weight(routes.canaryWeight) },
      { service: names.primary, weight: weight(routes.primaryWeight) },
    ],
  };
}

/** The split a spec routes; undefined when neither backend has weight (Flagger's "does not contain routes"). */
export function readTrafficSplit(canary: Canary, spec: TrafficSplitSpec | undefined): Routes | undefined {
  const names = serviceNames(canary.spec);
  const weightOf = (service: string): number =>
    readSmiWeight(spec?.backends?.find(backend => backend.service === service)?.weight);
  const primaryWeight = weightOf(names.primary);
  const canaryWeight = weightOf(names.canary);
  if (primaryWeight === 0 && canaryWeight === 0) return undefined;
  return { primaryWeight, canaryWeight, mirrored: false };
}
