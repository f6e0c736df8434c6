// Deployment targets (Flagger's deployment_controller.go and deployment_ready.go): replicas are scaled to zero
// and back, and readiness comes from the Deployment's rollout status and conditions.
import type { Canary } from '../api/canary.ts';
import { canaryReadyThreshold, primaryReadyThreshold, progressDeadlineSeconds } from '../api/defaults.ts';
import type { Deployment, PodTemplateSpec } from '../kube/types.ts';
import { withContext } from './flagger-errors.ts';
import { canaryNamespace, dotted, primaryName } from './generated-metadata.ts';
import { PodWorkloadTarget } from './pod-workload.ts';
import { deploymentReadiness } from './readiness.ts';
import { readMinReplicas } from './scalers/min-replicas.ts';
import type { Readiness } from './types.ts';

export class DeploymentTarget extends PodWorkloadTarget<Deployment> {
  protected readonly kind = 'Deployment';

  async isPrimaryReady(canary: Canary): Promise<Readiness> {
    const primary = await this.getPrimary(canary);
    const readiness = this.readiness(canary, primary, primaryReadyThreshold(canary.spec.analysis));
    const where = dotted(primaryName(canary.spec.targetRef.name), canaryNamespace(canary));
    if (!readiness.ready) return { ...readiness, message: `${where} not ready: ${readiness.message}` };
    // Quirk Q4 fixed: Flagger compares the replicas pointer with a fresh pointer, so this guard never fires.
    if (primary.spec?.replicas === 0) {
      const canaryWhere = dotted(canary.metadata.name ?? '', canaryNamespace(canary));
      return {
        ready: false,
        retriable: true,
        message: `halt ${canaryWhere} advancement: primary deployment is scaled to zero`,
      };
    }
    return readiness;
  }

  async isCanaryReady(canary: Canary): Promise<Readiness> {
    const target = await this.getTarget(canary);
    const where = dotted(canary.spec.targetRef.name, canaryNamespace(canary));
    if (target.spec?.replicas === 0) {
      const message = `canary deployment ${where} not ready: scaled to zero`;
      return { ready: false, retriable: true, scaledToZero: true, message };
    }
    const readiness = this.readiness(canary, target, canaryReadyThreshold(canary.spec.analysis));
    if (readiness.ready) return readiness;
    return { ...readiness, message: `canary deployment ${where} not ready: ${readiness.message}` };
  }

  async scaleToZero(canary: Canary): Promise<void> {
    await this.setReplicas(canary, 0);
  }

  /**
   * The target's own replicas when above zero; else the primary's when there is no autoscaler; else the
   * autoscaler's minimum when above one; else 1.
   */
  async scaleFromZero(canary: Canary): Promise<void> {
    const own = (await this.getTarget(canary)).spec?.replicas ?? 0;
    await this.setReplicas(canary, own > 0 ? own : await this.replicasFromZero(canary));
  }

  /** Gives the target the primary's replicas, or scales it from zero when the primary is gone. */
  async finalize(canary: Canary): Promise<void> {
    await this.getTarget(canary);
    const primary = await this.kube.tryGet<Deployment>(this.primaryRef(canary));
    if (!primary) {
      await withContext('ScaleFromZero failed', () => this.scaleFromZero(canary));
      return;
    }
    await withContext('scale failed', () => this.setReplicas(canary, primary.spec?.replicas ?? 1));
  }

  protected hashInput(target: Deployment): unknown {
    return target.spec?.template;
  }

  protected newPrimarySpec(
    _canary: Canary,
    target: Deployment,
    matchLabels: Record<string, string>,
    template: PodTemplateSpec,
  ): NonNullable<Deployment['spec']> {
    const spec = target.spec;
    return {
      progressDeadlineSeconds: spec?.progressDeadlineSeconds,
      minReadySeconds: spec?.minReadySeconds,
      revisionHistoryLimit: spec?.revisionHistoryLimit,
      replicas: (spec?.replicas ?? 0) > 0 ? spec?.replicas : 1,
      strategy: spec?.strategy,
      selector: { matchLabels },
      template,
    };
  }

  protected promoteSpec(
    canary: Canary,
    target: Deployment,
    primary: Deployment,
    template: PodTemplateSpec,
  ): void {
    const from = target.spec;
    const to = primary.spec;
    if (!to) return;
    to.progressDeadlineSeconds = from?.progressDeadlineSeconds;
    to.minReadySeconds = from?.minReadySeconds;
    to.revisionHistoryLimit = from?.revisionHistoryLimit;
    to.strategy = from?.strategy;
    // With an autoscaler the primary's replicas belong to the primary autoscaler.
    if (canary.spec.autoscalerRef === undefined) to.replicas = from?.replicas;
    to.template = template;
  }

  private readiness(canary: Canary, deployment: Deployment, readyThreshold: number): Readiness {
    return deploymentReadiness(deployment, {
      deadlineSeconds: progressDeadlineSeconds(canary.spec),
      readyThreshold,
      now: Date.now(),
    });
  }

  /** Replicas for a target that has none of its own. */
  private async replicasFromZero(canary: Canary): Promise<number> {
    const autoscaler = canary.spec.autoscalerRef;
    if (autoscaler === undefined) {
      const primaryReplicas = (await this.getPrimary(canary)).spec?.replicas ?? 0;
      return primaryReplicas > 0 ? primaryReplicas : 1;
    }
    // As Flagger, an unreadable autoscaler does not stop the scale-up.
    const min = await readMinReplicas(this.kube, canary, autoscaler).catch(() => undefined);
    return min !== undefined && min > 1 ? min : 1;
  }

  private async setReplicas(canary: Canary, replicas: number): Promise<void> {
    const ref = this.targetRef(canary);
    const where = dotted(ref.name, ref.namespace ?? '');
    await withContext(`scaling ${where} to ${replicas} failed`, () =>
      this.kube.patch(ref, 'merge', { spec: { replicas } }),
    );
  }
}
