// What Deployment and DaemonSet targets share: a `-primary` copy of the workload whose pod template follows the
// target's, config tracking, spec hashing and promotion. Kind-specific parts (spec fields, readiness, scaling)
// are left to deployment.ts and daemonset.ts.
import { randomUUID } from 'node:crypto';
import type { Canary } from '../api/canary.ts';
import type { KubeClient } from '../kube/client.ts';
import { isAlreadyExists } from '../kube/errors.ts';
import type { DaemonSet, Deployment, ObjectRef, PodTemplateSpec } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { computeHash } from '../util/hash.ts';
import { ConfigTracker, changedConfig, configChecksums, type TrackedConfigs } from './config-tracker.ts';
import { errorMessage, getQuery, withContext } from './flagger-errors.ts';
import {
  canaryKey,
  canaryNamespace,
  dotted,
  includeByPrefix,
  primaryLabels,
  primaryName,
  withoutToolkitKeys,
} from './generated-metadata.ts';
import { canaryOwnerReference } from '../api/generated-objects.ts';
import { discoverPorts, selectorLabel, type SelectorLabel } from './metadata.ts';
import { primaryPodTemplate, samePodTemplate } from './primary-template.ts';
import { specChange } from './spec-change.ts';
import type {
  Readiness,
  Revision,
  TargetDeps,
  TargetMetadata,
  TargetOptions,
  WorkloadTarget,
} from './types.ts';

export type PodWorkload = Deployment | DaemonSet;

export abstract class PodWorkloadTarget<T extends PodWorkload> implements WorkloadTarget {
  protected readonly kube: KubeClient;
  protected readonly logger: Logger;
  protected readonly options: TargetOptions;
  protected readonly configs: ConfigTracker;
  protected abstract readonly kind: 'Deployment' | 'DaemonSet';

  constructor(deps: TargetDeps) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.options = deps.options;
    this.configs = new ConfigTracker(deps);
  }

  abstract isPrimaryReady(canary: Canary): Promise<Readiness>;
  abstract isCanaryReady(canary: Canary): Promise<Readiness>;
  abstract scaleToZero(canary: Canary): Promise<void>;
  abstract scaleFromZero(canary: Canary): Promise<void>;
  abstract finalize(canary: Canary): Promise<void>;

  /** What revision() hashes. */
  protected abstract hashInput(target: T): unknown;
  /** The spec of a new primary. */
  protected abstract newPrimarySpec(
    canary: Canary,
    target: T,
    selector: Record<string, string>,
    template: PodTemplateSpec,
  ): NonNullable<T['spec']>;
  /** Copies the target's spec fields and the new template to the primary on promotion. */
  protected abstract promoteSpec(canary: Canary, target: T, primary: T, template: PodTemplateSpec): void;

  /** Throws when the target cannot be handled; checked before the primary is created. */
  protected checkTarget?(canary: Canary, target: T): void;

  /** Flagger's name for the kind in messages: "deployment", "daemonset". */
  protected get noun(): string {
    return this.kind.toLowerCase();
  }

  async getMetadata(canary: Canary): Promise<TargetMetadata> {
    const target = await this.getTarget(canary);
    const { labelKey, labelValue } = this.selector(target);
    const service = canary.spec.service;
    const containers = target.spec?.template.spec?.containers ?? [];
    const ports = service?.portDiscovery === true ? discoverPorts(service, containers) : [];
    return { labelKey, labelValue, ports };
  }

  async initialize(canary: Canary): Promise<void> {
    await withContext(`createPrimary${this.kind} failed`, async () => {
      const target = await this.getTarget(canary);
      this.checkTarget?.(canary, target);
      const selector = this.selector(target);
      const ref = this.primaryRef(canary);
      if (await this.kube.tryGet(ref)) return;
      const configs = await this.trackedConfigs(canary, target);
      await withContext('CreatePrimaryConfigs failed', () =>
        this.configs.createPrimaryConfigs(canary, configs),
      );
      const primary = this.newPrimary(
        canary,
        target,
        selector,
        this.primaryTemplate(canary, target, configs),
      );
      try {
        await this.kube.create<T>(primary);
      } catch (err) {
        if (isAlreadyExists(err)) return;
        const where = dotted(ref.name, ref.namespace ?? '');
        throw new Error(`creating ${this.noun} ${where} failed: ${errorMessage(err)}`, { cause: err });
      }
      this.canaryLogger(canary).info(`${this.kind} ${dotted(ref.name, ref.namespace ?? '')} created`);
    });
  }

  async revision(canary: Canary): Promise<Revision> {
    const target = await this.getTarget(canary);
    const configs = await this.trackedConfigs(canary, target);
    return { specHash: computeHash(this.hashInput(target)), trackedConfigs: configChecksums(configs) };
  }

  async hasTargetChanged(canary: Canary): Promise<boolean> {
    const target = await this.getTarget(canary);
    const change = specChange(canary.status, computeHash(this.hashInput(target)));
    if (change !== 'ask-primary') return change === 'changed';
    return !(await this.matchesPrimary(canary, target));
  }

  async isPromoted(canary: Canary): Promise<boolean> {
    return this.matchesPrimary(canary, await this.getTarget(canary));
  }

  async haveDependenciesChanged(canary: Canary): Promise<boolean> {
    // As Flagger's NopTracker: checksums left in the status from before tracking was switched off are ignored.
    if (!this.configs.enabled) return false;
    const target = await this.getTarget(canary);
    const configs = await this.trackedConfigs(canary, target);
    const change = changedConfig(configChecksums(configs), canary.status?.trackedConfigs);
    const config = change.changed && change.key !== undefined ? configs.get(change.key) : undefined;
    if (config) this.canaryLogger(canary).info(`${config.kind} ${config.name} has changed`);
    return change.changed;
  }

  async promote(canary: Canary): Promise<void> {
    const ref = this.primaryRef(canary);
    const where = dotted(ref.name, ref.namespace ?? '');
    await withContext(`updating ${this.noun} ${where} template spec failed`, async () => {
      const target = await this.getTarget(canary);
      const { labelKey, labelValue } = this.selector(target);
      const configs = await this.trackedConfigs(canary, target);
      await withContext('CreatePrimaryConfigs failed', () =>
        this.configs.createPrimaryConfigs(canary, configs),
      );
      const template = this.primaryTemplate(canary, target, configs);
      await this.kube.modify<T>(ref, primary => {
        this.promoteSpec(canary, target, primary, template);
        primary.metadata = {
          ...primary.metadata,
          // Quirk Q12, kept: on promotion only the -include-label-prefix annotations are copied, whereas
          // creation copies all of them.
          annotations: includeByPrefix(target.metadata?.annotations, this.options.includeLabelPrefix),
          labels: this.primaryMetaLabels(target, { labelKey, labelValue }),
        };
        return true;
      });
    });
  }

  protected async getTarget(canary: Canary): Promise<T> {
    return getQuery<T>(this.kube, this.targetRef(canary), this.noun);
  }

  protected async getPrimary(canary: Canary): Promise<T> {
    return getQuery<T>(this.kube, this.primaryRef(canary), this.noun);
  }

  protected targetRef(canary: Canary): ObjectRef {
    const namespace = canaryNamespace(canary);
    return { apiVersion: 'apps/v1', kind: this.kind, name: canary.spec.targetRef.name, namespace };
  }

  protected primaryRef(canary: Canary): ObjectRef {
    const ref = this.targetRef(canary);
    return { ...ref, name: primaryName(ref.name) };
  }

  protected canaryLogger(canary: Canary): Logger {
    return this.logger.child({ canary: canaryKey(canary) });
  }

  /** The target's pod template as the primary runs it, with a new flagger-id. */
  protected primaryTemplate(canary: Canary, target: T, configs: TrackedConfigs): PodTemplateSpec {
    const { labelKey, labelValue } = this.selector(target);
    return primaryPodTemplate(target.spec?.template ?? {}, {
      targetName: canary.spec.targetRef.name,
      labelKey,
      labelValue,
      selectorLabels: this.options.selectorLabels,
      trackedConfigs: new Set(configs.keys()),
      flaggerId: randomUUID(),
    });
  }

  private selector(target: T): SelectorLabel {
    return selectorLabel(target, this.options.selectorLabels, this.noun);
  }

  private async trackedConfigs(canary: Canary, target: T): Promise<TrackedConfigs> {
    return withContext('GetTargetConfigs failed', () =>
      this.configs.targetConfigs(canary, target.spec?.template.spec ?? { containers: [] }),
    );
  }

  private primaryMetaLabels(target: T, { labelKey, labelValue }: SelectorLabel): Record<string, string> {
    const labels = includeByPrefix(target.metadata?.labels, this.options.includeLabelPrefix);
    return primaryLabels(labels, labelKey, primaryName(labelValue));
  }

  private newPrimary(canary: Canary, target: T, selector: SelectorLabel, template: PodTemplateSpec): T {
    const ref = this.primaryRef(canary);
    const matchLabels = { [selector.labelKey]: primaryName(selector.labelValue) };
    return {
      apiVersion: 'apps/v1',
      kind: this.kind,
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        labels: this.primaryMetaLabels(target, selector),
        annotations: withoutToolkitKeys(target.metadata?.annotations),
        ownerReferences: [canaryOwnerReference(canary)],
      },
      spec: this.newPrimarySpec(canary, target, matchLabels, template),
    } as T;
  }

  /**
   * The primary runs exactly what the target's template becomes as a primary (the flagger-id aside): the last
   * promotion is the target's revision.
   */
  private async matchesPrimary(canary: Canary, target: T): Promise<boolean> {
    const primary = await this.kube.tryGet<T>(this.primaryRef(canary));
    if (!primary?.spec) return false;
    const configs = await this.trackedConfigs(canary, target);
    return samePodTemplate(this.primaryTemplate(canary, target, configs), primary.spec.template);
  }
}
