// Service targets (Flagger's service_controller.go): the canary is a Service, copied to `<name>-canary` and
// `<name>-primary`; promotion copies its spec to the primary. There are no pods to wait for or to scale.
import type { Canary } from '../api/canary.ts';
import type { KubeClient } from '../kube/client.ts';
import { isAlreadyExists } from '../kube/errors.ts';
import type { ObjectRef, Service } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { canonicalJson, computeHash } from '../util/hash.ts';
import { errorMessage, getQuery, withContext } from './flagger-errors.ts';
import {
  canaryKey,
  canaryNamespace,
  dotted,
  includeByPrefix,
  omitKeys,
  primaryName,
} from './generated-metadata.ts';
import { KUBECTL_ANNOTATION, canaryOwnerReference } from '../api/generated-objects.ts';
import { specChange } from './spec-change.ts';
import type {
  Readiness,
  Revision,
  TargetDeps,
  TargetMetadata,
  TargetOptions,
  WorkloadTarget,
} from './types.ts';

type ServiceSpec = NonNullable<Service['spec']>;

const READY: Readiness = { ready: true };

/**
 * The spec without what the API server allocates per Service (cluster IPs, node ports), which a copy cannot
 * share with its source. A headless Service stays headless.
 */
export function portableServiceSpec(spec: ServiceSpec | undefined): ServiceSpec {
  const portable = structuredClone(spec ?? {});
  if (portable.clusterIP !== 'None') delete portable.clusterIP;
  delete portable.clusterIPs;
  delete portable.healthCheckNodePort;
  for (const port of portable.ports ?? []) delete port.nodePort;
  return portable;
}

export class ServiceTarget implements WorkloadTarget {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly options: TargetOptions;

  constructor(deps: TargetDeps) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.options = deps.options;
  }

  /** No pods are selected through a Service target, so there is no selector label (as Flagger). */
  getMetadata(): Promise<TargetMetadata> {
    return Promise.resolve({ labelKey: '', labelValue: '', ports: [] });
  }

  /** Creates or updates `<name>-canary` and creates `<name>-primary` from the target Service. */
  async initialize(canary: Canary): Promise<void> {
    const target = await this.getTarget(canary);
    await withContext('reconcileCanaryService failed', () => this.reconcileCanary(canary, target));
    await withContext('reconcilePrimaryService failed', async () => {
      if (!(await this.kube.tryGet(this.ref(canary, 'primary'))))
        await this.create(canary, 'primary', target);
    });
  }

  isPrimaryReady(): Promise<Readiness> {
    return Promise.resolve(READY);
  }

  isCanaryReady(): Promise<Readiness> {
    return Promise.resolve(READY);
  }

  async revision(canary: Canary): Promise<Revision> {
    const target = await this.getTarget(canary);
    return { specHash: computeHash(target.spec), trackedConfigs: {} };
  }

  async hasTargetChanged(canary: Canary): Promise<boolean> {
    const target = await this.getTarget(canary);
    const change = specChange(canary.status, computeHash(target.spec));
    if (change !== 'ask-primary') return change === 'changed';
    return !(await this.primaryHasSpecOf(canary, target));
  }

  async isPromoted(canary: Canary): Promise<boolean> {
    return this.primaryHasSpecOf(canary, await this.getTarget(canary));
  }

  private async primaryHasSpecOf(canary: Canary, target: Service): Promise<boolean> {
    const primary = await this.kube.tryGet<Service>(this.ref(canary, 'primary'));
    const comparable = (spec: ServiceSpec | undefined) => canonicalJson(portableServiceSpec(spec));
    return primary !== undefined && comparable(primary.spec) === comparable(target.spec);
  }

  haveDependenciesChanged(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** The primary becomes a copy of the target, keeping its own cluster IPs and owner references. */
  async promote(canary: Canary): Promise<void> {
    const ref = this.ref(canary, 'primary');
    await withContext(`updating service ${dotted(ref.name, ref.namespace ?? '')} spec failed`, async () => {
      const target = await this.getTarget(canary);
      const prefixes = this.options.includeLabelPrefix;
      await this.kube.modify<Service>(ref, primary => {
        primary.spec = this.specFor(target, primary);
        primary.metadata = {
          ...primary.metadata,
          labels: includeByPrefix(target.metadata?.labels, prefixes),
          annotations: includeByPrefix(target.metadata?.annotations, prefixes),
        };
        return true;
      });
    });
  }

  async scaleToZero(): Promise<void> {
    // A Service has nothing to scale.
  }

  async scaleFromZero(): Promise<void> {
    // A Service has nothing to scale.
  }

  async finalize(): Promise<void> {
    // The target Service was never changed.
  }

  private async reconcileCanary(canary: Canary, target: Service): Promise<void> {
    const ref = this.ref(canary, 'canary');
    const current = await this.kube.tryGet<Service>(ref);
    if (!current) {
      await this.create(canary, 'canary', target);
      return;
    }
    await this.kube.modify<Service>(ref, existing => {
      const copy = this.copyOf(canary, 'canary', target);
      existing.metadata = {
        ...copy.metadata,
        uid: existing.metadata?.uid,
        resourceVersion: existing.metadata?.resourceVersion,
      };
      existing.spec = this.specFor(target, existing);
      return true;
    });
    this.logger
      .child({ canary: canaryKey(canary) })
      .info(`Service ${dotted(ref.name, ref.namespace ?? '')} updated`);
  }

  private async create(canary: Canary, role: 'canary' | 'primary', target: Service): Promise<void> {
    const copy = this.copyOf(canary, role, target);
    const where = dotted(copy.metadata?.name ?? '', canaryNamespace(canary));
    try {
      await this.kube.create(copy);
    } catch (err) {
      if (isAlreadyExists(err)) return;
      throw new Error(`creating service ${where} query error: ${errorMessage(err)}`, { cause: err });
    }
    this.logger.child({ canary: canaryKey(canary) }).info(`Service ${where} created`);
  }

  /**
   * A copy of the target Service owned by the canary, without kubectl's last-applied annotation. Flagger copies
   * every other label and annotation, Flux's included, and adds none.
   */
  private copyOf(canary: Canary, role: 'canary' | 'primary', target: Service): Service {
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: this.ref(canary, role).name,
        namespace: canaryNamespace(canary),
        labels: { ...target.metadata?.labels },
        annotations: omitKeys(target.metadata?.annotations, KUBECTL_ANNOTATION),
        ownerReferences: [canaryOwnerReference(canary)],
      },
      spec: portableServiceSpec(target.spec),
    };
  }

  /** The target's spec with the cluster IPs of the Service it is written to, which cannot change. */
  private specFor(target: Service, existing: Service): ServiceSpec {
    return {
      ...portableServiceSpec(target.spec),
      clusterIP: existing.spec?.clusterIP,
      clusterIPs: existing.spec?.clusterIPs,
    };
  }

  private async getTarget(canary: Canary): Promise<Service> {
    return getQuery<Service>(this.kube, this.ref(canary, 'target'), 'service');
  }

  private ref(canary: Canary, role: 'target' | 'canary' | 'primary'): ObjectRef {
    const name = canary.spec.targetRef.name;
    const names = { target: name, canary: `${name}-canary`, primary: primaryName(name) };
    return { apiVersion: 'v1', kind: 'Service', name: names[role], namespace: canaryNamespace(canary) };
  }
}
