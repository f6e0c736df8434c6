// The two Gloo Upstreams of the `gloo` provider, `<ns>-<svc>-primaryupstream-<port>` and
// `<ns>-<svc>-canaryupstream-<port>`: kube upstreams of the `-primary` and `-canary` Services, with the
// connection settings of the Canary's upstreamRef, so that the RouteTable can weigh them.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import { canaryOwnerReference } from '../api/generated-objects.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject, ObjectRef, Service } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { includeByPrefix } from '../targets/generated-metadata.ts';
import { canaryLogger } from './generated-metadata.ts';
import { semanticallyEqual } from './semantic-equal.ts';
import { requireService } from './service-spec.ts';

export const GLOO_API_VERSION = 'gloo.solo.io/v1';

export interface UpstreamSpec {
  kube?: {
    serviceName: string;
    serviceNamespace: string;
    servicePort: number;
    selector?: Record<string, string>;
  };
  loadBalancerConfig?: unknown;
  [field: string]: unknown;
}

export type Upstream = KubeObject & { spec?: UpstreamSpec };

/**
 * The upstreamRef settings Flagger copies: the fields of its Go UpstreamSpec besides `kube` and `labels`
 * (anything else in the referenced Upstream is unknown to Flagger and is dropped).
 */
const COPIED_SETTINGS = [
  'sslConfig',
  'circuitBreakers',
  'connectionConfig',
  'loadBalancerConfig',
  'useHttp2',
  'initialStreamWindowSize',
  'initialConnectionWindowSize',
  'httpProxyHostName',
] as const;

export interface UpstreamDeps {
  kube: KubeClient;
  logger: Logger;
  setOwnerRefs: boolean;
  /** -include-label-prefix: the Service labels that the Upstream carries. */
  includeLabelPrefix: readonly string[];
}

/** The Upstream names of the primary and canary Services. */
export function upstreamNames(canary: Canary): { primary: string; canary: string } {
  const prefix = `${canary.metadata.namespace ?? ''}-${serviceNames(canary.spec).apex}`;
  const port = requireService(canary).port;
  return { primary: `${prefix}-primaryupstream-${port}`, canary: `${prefix}-canaryupstream-${port}` };
}

/** Creates both Upstreams when missing; an existing one only follows upstreamRef's load balancer config. */
export async function reconcileUpstreams(deps: UpstreamDeps, canary: Canary): Promise<void> {
  const names = serviceNames(canary.spec);
  const upstreams = upstreamNames(canary);
  const settings = await configUpstreamSpec(deps.kube, canary);
  await reconcileUpstream(deps, canary, upstreams.primary, names.primary, settings);
  await reconcileUpstream(deps, canary, upstreams.canary, names.canary, settings);
}

async function reconcileUpstream(
  deps: UpstreamDeps,
  canary: Canary,
  name: string,
  serviceName: string,
  settings: UpstreamSpec | undefined,
): Promise<void> {
  const namespace = canary.metadata.namespace ?? '';
  const service = await deps.kube
    .get<Service>({ apiVersion: 'v1', kind: 'Service', name: serviceName, namespace })
    .catch((err: unknown) => {
      throw new Error(`service ${serviceName}.${namespace} get query error: ${String(err)}`, { cause: err });
    });
  const ref: ObjectRef = { apiVersion: GLOO_API_VERSION, kind: 'Upstream', name, namespace };
  const existing = await deps.kube.tryGet<Upstream>(ref);
  const logger = canaryLogger(deps.logger, canary);
  if (existing === undefined) {
    const labels = includeByPrefix(service.metadata?.labels, deps.includeLabelPrefix);
    await deps.kube.create<Upstream>({
      apiVersion: GLOO_API_VERSION,
      kind: 'Upstream',
      metadata: {
        name,
        namespace,
        ...(Object.keys(labels).length > 0 ? { labels } : {}),
        ...(deps.setOwnerRefs ? { ownerReferences: [canaryOwnerReference(canary)] } : {}),
      },
      spec: upstreamSpec(canary, service, settings),
    });
    logger.info(`Upstream ${name}.${namespace} created`);
    return;
  }
  // Flagger syncs only the load balancer config of an existing Upstream (slow start tuning), nothing else.
  if (
    settings === undefined ||
    semanticallyEqual(settings.loadBalancerConfig, existing.spec?.loadBalancerConfig)
  ) {
    return;
  }
  await deps.kube.modify<Upstream>(ref, current => {
    current.spec = { ...current.spec, loadBalancerConfig: settings.loadBalancerConfig };
    return true;
  });
  logger.info(`Upstream ${name}.${namespace} updated`);
}

/** A kube upstream of the Service on service.port, with the copied upstreamRef settings. */
export function upstreamSpec(
  canary: Canary,
  service: Service,
  settings: UpstreamSpec | undefined,
): UpstreamSpec {
  const copied = Object.fromEntries(
    COPIED_SETTINGS.flatMap(key => (settings?.[key] === undefined ? [] : [[key, settings[key]]])),
  );
  const selector = service.spec?.selector;
  return {
    kube: {
      serviceName: service.metadata?.name ?? '',
      serviceNamespace: canary.metadata.namespace ?? '',
      servicePort: requireService(canary).port,
      ...(selector ? { selector } : {}),
    },
    ...copied,
  };
}

/** The spec of the upstreamRef Upstream (in the Canary's namespace unless it names one), if any. */
async function configUpstreamSpec(kube: KubeClient, canary: Canary): Promise<UpstreamSpec | undefined> {
  const upstreamRef = canary.spec.upstreamRef;
  if (upstreamRef === undefined) return undefined;
  const namespace = upstreamRef.namespace ?? canary.metadata.namespace ?? '';
  const ref = { apiVersion: GLOO_API_VERSION, kind: 'Upstream', name: upstreamRef.name, namespace };
  const upstream = await kube.get<Upstream>(ref).catch((err: unknown) => {
    throw new Error(`upstream ${upstreamRef.name}.${namespace} get query error: ${String(err)}`, {
      cause: err,
    });
  });
  return upstream.spec ?? {};
}
