// Where the mesh sends a request for one host: the weighted destinations of its VirtualService (as the
// controller writes them) or, before there is one, the host's own Service. Each destination is resolved the way
// Kubernetes would: the host names a Service, whose selector picks the Deployment whose pods serve it; the
// version is the image tag of that pod template.
import type { KubeClient } from '../kube/client.ts';
import { Informer } from '../kube/informer.ts';
import type { Deployment, KubeObject, Service } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { ISTIO_API_VERSION, type VirtualService } from '../routers/istio-types.ts';

export interface Route {
  /** The Deployment behind the destination, the destination_workload of its metrics. */
  workload: string;
  /** The image tag of its pod template. */
  version: string;
  weight: number;
  /** Whether any of its pods is ready; a mesh has no upstream to send to otherwise. */
  ready: boolean;
}

/**
 * The routes for `host`: the destinations of its VirtualService's default (match-less) HTTP route, or of its
 * first one; without a VirtualService, as Istio does, the Kubernetes Service of that name.
 */
export function resolveRoutes(
  host: string,
  vs: VirtualService | undefined,
  service: (name: string) => Service | undefined,
  deployments: readonly Deployment[],
): Route[] {
  const http = vs?.spec?.http ?? [];
  const route = http.find(r => r.match === undefined) ?? http[0];
  const destinations = vs === undefined ? [{ destination: { host }, weight: 100 }] : (route?.route ?? []);
  return destinations.flatMap(({ destination, weight }) => {
    const deployment = servingDeployment(destination.host, service, deployments);
    const name = deployment?.metadata?.name;
    if (deployment === undefined || name === undefined) return [];
    return [
      {
        workload: name,
        version: imageTag(deployment.spec?.template.spec?.containers[0]?.image ?? ''),
        // A route's only destination takes everything whatever its weight, as in Istio (an A/B default route
        // holds the primary at weight 0).
        weight: destinations.length === 1 ? 100 : (weight ?? 0),
        ready: (deployment.status?.readyReplicas ?? 0) > 0,
      },
    ];
  });
}

/** The Deployment whose pods the host's Service selects. */
function servingDeployment(
  host: string,
  service: (name: string) => Service | undefined,
  deployments: readonly Deployment[],
): Deployment | undefined {
  // "podinfo-canary" or "podinfo-canary.test.svc.cluster.local"
  const selector = service(host.split('.')[0] ?? '')?.spec?.selector;
  if (selector === undefined) return undefined;
  return deployments.find(d => selects(selector, d.spec?.template.metadata?.labels ?? {}));
}

/** Picks a route in proportion to the weights; `draw` is in [0, 1). */
export function pickRoute(routes: readonly Route[], draw: number): Route | undefined {
  const total = routes.reduce((sum, r) => sum + r.weight, 0);
  let point = draw * total;
  for (const route of routes) {
    if (route.weight <= 0) continue;
    if (point < route.weight) return route;
    point -= route.weight;
  }
  return undefined;
}

export function imageTag(image: string): string {
  const name = image.split('@')[0] ?? image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name.slice(colon + 1) : 'latest';
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The routes of one VirtualService, kept up to date by watching it, the Services and the Deployments. */
export class MeshRoutes {
  private readonly namespace: string;
  private readonly host: string;
  private readonly virtualServices: Informer<VirtualService>;
  private readonly services: Informer<Service>;
  private readonly deployments: Informer<Deployment>;

  constructor(kube: KubeClient, options: { namespace: string; virtualService: string; logger: Logger }) {
    const { namespace, logger } = options;
    this.namespace = namespace;
    this.host = options.virtualService;
    const watch = <T extends KubeObject>(apiVersion: string, kind: string) =>
      new Informer<T>(kube, { apiVersion, kind, namespace, logger });
    this.virtualServices = watch(ISTIO_API_VERSION, 'VirtualService');
    this.services = watch('v1', 'Service');
    this.deployments = watch('apps/v1', 'Deployment');
  }

  async start(): Promise<void> {
    const informers = [this.virtualServices, this.services, this.deployments];
    for (const informer of informers) informer.start();
    await Promise.all(informers.map(i => i.synced));
  }

  stop(): void {
    for (const informer of [this.virtualServices, this.services, this.deployments]) informer.stop();
  }

  routes(): Route[] {
    return resolveRoutes(
      this.host,
      this.virtualServices.get(`${this.namespace}/${this.host}`),
      name => this.services.get(`${this.namespace}/${name}`),
      this.deployments.list(),
    );
  }
}
