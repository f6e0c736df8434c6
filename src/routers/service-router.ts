// The apex, -primary and -canary ClusterIP Services (Flagger's KubernetesDefaultRouter), with the takeover of
// an apex Service that existed before the canary and its revert on deletion.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Service } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import type { TargetMetadata } from '../targets/types.ts';
import type { ServiceRouter } from './types.ts';
import { canaryLogger, controllingCanary } from './generated-metadata.ts';
import { KUBECTL_ANNOTATION, canaryOwnerReference } from '../api/generated-objects.ts';
import {
  desiredService,
  newService,
  requireService,
  updateService,
  type ServiceRole,
} from './service-spec.ts';
import { upsert } from './upsert.ts';

export interface ServiceRouterDeps {
  kube: KubeClient;
  logger: Logger;
}

export class KubernetesServiceRouter implements ServiceRouter {
  private readonly kube: KubeClient;
  private readonly logger: Logger;

  constructor(deps: ServiceRouterDeps) {
    this.kube = deps.kube;
    this.logger = deps.logger;
  }

  async initialize(canary: Canary, metadata: TargetMetadata): Promise<void> {
    await this.reconcileService(canary, 'canary', metadata.labelValue, metadata);
    await this.reconcileService(canary, 'primary', `${metadata.labelValue}-primary`, metadata);
  }

  async reconcile(canary: Canary, metadata: TargetMetadata): Promise<void> {
    await this.reconcileService(canary, 'apex', `${metadata.labelValue}-primary`, metadata);
  }

  async finalize(canary: Canary, metadata: TargetMetadata): Promise<void> {
    const name = serviceNames(canary.spec).apex;
    const namespace = canary.metadata.namespace ?? '';
    const apex = await this.kube.tryGet<Service>(serviceRef(name, namespace));
    if (apex === undefined) {
      // Flagger fails here, which keeps the canary's finalizer forever; with no Service there is nothing to revert.
      canaryLogger(this.logger, canary).warn(`Service ${name}.${namespace} not found, nothing to revert`);
      return;
    }
    // A Service some Canary controls is Flagger's own and goes away with it; only a taken-over one is reverted.
    if (controllingCanary(apex.metadata) !== undefined) return;
    const lastApplied = apex.metadata?.annotations?.[KUBECTL_ANNOTATION];
    if (lastApplied === undefined) {
      // Quirk fixed: Flagger points the selector at targetRef.name, which is the pods' label value only by
      // convention; we use the label value itself.
      await this.reconcileService(canary, 'apex', metadata.labelValue, metadata);
      return;
    }
    const selector = parseSelector(lastApplied, `${name}.${namespace}`);
    await this.kube.modify<Service>(serviceRef(name, namespace), current => {
      (current.spec ??= {}).selector = selector;
      return true;
    });
  }

  private async reconcileService(
    canary: Canary,
    role: ServiceRole,
    selectorValue: string,
    metadata: TargetMetadata,
  ): Promise<void> {
    const desired = desiredService(canary, role, selectorValue, metadata);
    const namespace = canary.metadata.namespace ?? '';
    const unmanaged = requireService(canary).unmanagedMetadata;
    const result = await upsert<Service>(this.kube, {
      ref: serviceRef(desired.name, namespace),
      create: () => {
        const service = newService(desired, namespace);
        (service.metadata ??= {}).ownerReferences = [canaryOwnerReference(canary)];
        return service;
      },
      update: current => {
        const owned = controllingCanary(current.metadata) === canary.metadata.name;
        return updateService(current, desired, { owned, unmanaged });
      },
    });
    const logger = canaryLogger(this.logger, canary);
    if (result === 'created') logger.info(`Service ${desired.name}.${namespace} created`);
    if (result === 'updated') logger.info(`Service ${desired.name} updated`);
  }
}

function serviceRef(name: string, namespace: string) {
  return { apiVersion: 'v1', kind: 'Service', name, namespace };
}

function parseSelector(lastApplied: string, service: string): Record<string, string> | undefined {
  try {
    const stored = JSON.parse(lastApplied) as Service;
    return stored.spec?.selector;
  } catch {
    throw new Error(`router ${service} failed to unMarshal annotation ${KUBECTL_ANNOTATION}`);
  }
}
