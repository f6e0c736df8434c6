// DaemonSet targets (Flagger's daemonset_controller.go and daemonset_ready.go): a DaemonSet cannot have zero
// replicas, so it is "scaled to zero" with a nodeSelector no node matches, and readiness comes from the
// scheduled, updated and available pod counts.
import type { Canary } from '../api/canary.ts';
import { canaryReadyThreshold, primaryReadyThreshold, progressDeadlineSeconds } from '../api/defaults.ts';
import type { DaemonSet, PodTemplateSpec } from '../kube/types.ts';
import type { TrackedConfigs } from './config-tracker.ts';
import { withContext } from './flagger-errors.ts';
import { canaryNamespace, dotted, omitKeys, primaryName } from './generated-metadata.ts';
import { PodWorkloadTarget } from './pod-workload.ts';
import { daemonSetReadiness } from './readiness.ts';
import type { Readiness } from './types.ts';

/** The nodeSelector that keeps a DaemonSet's pods off every node. */
export const SCALE_TO_ZERO_KEY = 'flagger.app/scale-to-zero';

/** The template without the scale-to-zero nodeSelector; an emptied nodeSelector is removed. */
export function withoutScaleToZero(template: PodTemplateSpec): PodTemplateSpec {
  const spec = structuredClone(template.spec ?? { containers: [] });
  const nodeSelector = omitKeys(spec.nodeSelector, SCALE_TO_ZERO_KEY);
  if (Object.keys(nodeSelector).length > 0) spec.nodeSelector = nodeSelector;
  else delete spec.nodeSelector;
  return { ...template, spec };
}

/**
 * What revision() hashes: the template without the scale-to-zero key and with an absent nodeSelector as {},
 * so that scaling the target to zero and back is not a new revision.
 */
export function daemonSetHashInput(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const clean = withoutScaleToZero(template ?? {});
  return {
    ...clean,
    spec: { ...(clean.spec ?? { containers: [] }), nodeSelector: clean.spec?.nodeSelector ?? {} },
  };
}

export class DaemonSetTarget extends PodWorkloadTarget<DaemonSet> {
  protected readonly kind = 'DaemonSet';

  async isPrimaryReady(canary: Canary): Promise<Readiness> {
    const primary = await this.getPrimary(canary);
    const readiness = this.readiness(canary, primary, primaryReadyThreshold(canary.spec.analysis));
    if (readiness.ready) return readiness;
    const where = dotted(primaryName(canary.spec.targetRef.name), canaryNamespace(canary));
    return { ...readiness, message: `primary daemonset ${where} not ready: ${readiness.message}` };
  }

  async isCanaryReady(canary: Canary): Promise<Readiness> {
    const target = await this.getTarget(canary);
    const where = dotted(canary.spec.targetRef.name, canaryNamespace(canary));
    if (target.spec?.template.spec?.nodeSelector?.[SCALE_TO_ZERO_KEY] !== undefined) {
      const message = `canary damonset ${where} not ready with retryable true: scaled to zero`;
      return { ready: false, retriable: true, scaledToZero: true, message };
    }
    const readiness = this.readiness(canary, target, canaryReadyThreshold(canary.spec.analysis));
    if (readiness.ready) return readiness;
    // Flagger's text, "damonset" typo included, so that alerts and log filters keep matching.
    const message = `canary damonset ${where} not ready with retryable ${readiness.retriable}: ${readiness.message}`;
    return { ...readiness, message };
  }

  async scaleToZero(canary: Canary): Promise<void> {
    await this.patchNodeSelector(canary, 'true', 'updating daemonset');
  }

  async scaleFromZero(canary: Canary): Promise<void> {
    await this.patchNodeSelector(canary, null, 'scaling up daemonset');
  }

  async finalize(canary: Canary): Promise<void> {
    await withContext('ScaleFromZero failed', () => this.scaleFromZero(canary));
  }

  protected override checkTarget(canary: Canary, target: DaemonSet): void {
    const type = target.spec?.updateStrategy?.type;
    if (type !== undefined && type !== '' && type !== 'RollingUpdate') {
      const where = dotted(canary.spec.targetRef.name, canaryNamespace(canary));
      throw new Error(`daemonset ${where} must have RollingUpdate strategy but have ${type}`);
    }
  }

  protected hashInput(target: DaemonSet): unknown {
    return daemonSetHashInput(target.spec?.template);
  }

  /** The shared transform, minus the scale-to-zero key, which must never reach the primary. */
  protected override primaryTemplate(
    canary: Canary,
    target: DaemonSet,
    configs: TrackedConfigs,
  ): PodTemplateSpec {
    return withoutScaleToZero(super.primaryTemplate(canary, target, configs));
  }

  protected newPrimarySpec(
    _canary: Canary,
    target: DaemonSet,
    matchLabels: Record<string, string>,
    template: PodTemplateSpec,
  ): NonNullable<DaemonSet['spec']> {
    const spec = target.spec;
    return {
      minReadySeconds: spec?.minReadySeconds,
      revisionHistoryLimit: spec?.revisionHistoryLimit,
      updateStrategy: spec?.updateStrategy,
      selector: { matchLabels },
      template,
    };
  }

  protected promoteSpec(
    _canary: Canary,
    target: DaemonSet,
    primary: DaemonSet,
    template: PodTemplateSpec,
  ): void {
    if (!primary.spec) return;
    primary.spec.minReadySeconds = target.spec?.minReadySeconds;
    primary.spec.revisionHistoryLimit = target.spec?.revisionHistoryLimit;
    primary.spec.updateStrategy = target.spec?.updateStrategy;
    primary.spec.template = template;
  }

  private readiness(canary: Canary, daemonSet: DaemonSet, readyThreshold: number): Readiness {
    return daemonSetReadiness(daemonSet, {
      deadlineSeconds: progressDeadlineSeconds(canary.spec),
      readyThreshold,
      lastTransitionTime: canary.status?.lastTransitionTime,
      now: Date.now(),
    });
  }

  private async patchNodeSelector(canary: Canary, value: 'true' | null, action: string): Promise<void> {
    const ref = this.targetRef(canary);
    await withContext(`${action} ${dotted(ref.name, ref.namespace ?? '')} failed`, () =>
      this.kube.patch(ref, 'merge', {
        spec: { template: { spec: { nodeSelector: { [SCALE_TO_ZERO_KEY]: value } } } },
      }),
    );
  }
}
