// The Istio DestinationRules <svc>-primary and <svc>-canary: their host and service.trafficPolicy.
import type { Canary } from '../api/canary.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../logging/logger.ts';
import { canaryOwnerReference } from '../api/generated-objects.ts';
import { ISTIO_API_VERSION, type DestinationRule } from './istio-types.ts';
import { semanticallyEqual } from './semantic-equal.ts';
import { requireService } from './service-spec.ts';
import { upsert } from './upsert.ts';

/** Creates or updates the DestinationRule `name` (a Service name) for the canary. */
export async function reconcileDestinationRule(
  deps: { kube: KubeClient; logger: Logger; setOwnerRefs: boolean },
  canary: Canary,
  name: string,
): Promise<void> {
  const desired = destinationRule(canary, name, deps.setOwnerRefs);
  const { spec } = desired;
  const namespace = canary.metadata.namespace ?? '';
  const result = await upsert<DestinationRule>(deps.kube, {
    ref: { apiVersion: ISTIO_API_VERSION, kind: 'DestinationRule', name, namespace },
    create: () => desired,
    update: current => {
      if (semanticallyEqual(spec, current.spec)) return false;
      current.spec = spec;
      return true;
    },
  });
  if (result !== 'unchanged') deps.logger.info(`DestinationRule ${name}.${namespace} ${result}`);
}

/** The DestinationRule `name` for the Service of that name: its host, and service.trafficPolicy. */
export function destinationRule(canary: Canary, name: string, setOwnerRefs: boolean): DestinationRule {
  const trafficPolicy = requireService(canary).trafficPolicy;
  return {
    apiVersion: ISTIO_API_VERSION,
    kind: 'DestinationRule',
    metadata: {
      name,
      namespace: canary.metadata.namespace ?? '',
      ...(setOwnerRefs ? { ownerReferences: [canaryOwnerReference(canary)] } : {}),
    },
    spec: { host: name, ...(trafficPolicy ? { trafficPolicy } : {}) },
  };
}
