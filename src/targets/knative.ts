// Knative Service targets (Flagger's KnativeController): there is no primary workload to create; the primary is
// the revision named by the Service's `flagger.app/primary-revision` annotation and the canary is its latest
// created revision. Initialization pins the current revision and sends it all the traffic, promotion pins the
// latest revision, and a new revision is what starts an analysis. Knative scales revisions itself.
import type { Canary } from '../api/canary.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../logging/logger.ts';
import { computeHash } from '../util/hash.ts';
import { errorMessage, getQuery } from './flagger-errors.ts';
import { canaryKey } from './generated-metadata.ts';
import {
  PRIMARY_REVISION_ANNOTATION,
  knativeServiceId,
  knativeServiceRef,
  latestRevision,
  primaryRevision,
  revisionReadiness,
  revisionRef,
  trafficSpec,
  type KnativeService,
  type Revision,
} from './knative-service.ts';
import { specChange } from './spec-change.ts';
import type {
  Readiness,
  Revision as TargetRevision,
  TargetDeps,
  TargetMetadata,
  WorkloadTarget,
} from './types.ts';

export class KnativeTarget implements WorkloadTarget {
  private readonly kube: KubeClient;
  private readonly logger: Logger;

  constructor(deps: Pick<TargetDeps, 'kube' | 'logger'>) {
    this.kube = deps.kube;
    this.logger = deps.logger;
  }

  /** No pods are selected through Services of ours, so there is no selector label (as in Flagger). */
  getMetadata(): Promise<TargetMetadata> {
    return Promise.resolve({ labelKey: '', labelValue: '', ports: [] });
  }

  /**
   * While the canary initializes: pins the latest revision as the primary and routes all traffic to it (the
   * latest-revision target at 0%). Later ticks leave the Service alone.
   */
  async initialize(canary: Canary): Promise<void> {
    const phase = canary.status?.phase ?? '';
    if (phase !== '' && phase !== 'Initializing') return;
    await this.update(canary, service => {
      const latest = latestRevision(canary, service);
      (service.metadata ??= {}).annotations = {
        ...service.metadata.annotations,
        [PRIMARY_REVISION_ANNOTATION]: latest,
      };
      service.spec = {
        ...service.spec,
        traffic: trafficSpec(latest, { primaryWeight: 100, canaryWeight: 0 }),
      };
    });
  }

  async isPrimaryReady(canary: Canary): Promise<Readiness> {
    const service = await this.getService(canary);
    const primary = primaryRevision(service);
    if (primary === undefined) {
      return notReady(`Knative Service ${knativeServiceId(canary)} primary revision annotation not found`);
    }
    return this.revisionReadiness(canary, primary);
  }

  async isCanaryReady(canary: Canary): Promise<Readiness> {
    const service = await this.getService(canary);
    const latest = service.status?.latestCreatedRevisionName ?? '';
    if (latest === '') return notReady(`Knative Service ${knativeServiceId(canary)} has no revision yet`);
    return this.revisionReadiness(canary, latest);
  }

  /** The revision is the latest created revision's name: a new revision is a new release. */
  async revision(canary: Canary): Promise<TargetRevision> {
    const service = await this.getService(canary);
    return { specHash: computeHash(latestRevision(canary, service)), trackedConfigs: {} };
  }

  async hasTargetChanged(canary: Canary): Promise<boolean> {
    const service = await this.getService(canary);
    const latest = latestRevision(canary, service);
    const change = specChange(canary.status, computeHash(latest));
    if (change !== 'ask-primary') return change === 'changed';
    return primaryRevision(service) !== latest;
  }

  /** The latest revision is the pinned primary. */
  async isPromoted(canary: Canary): Promise<boolean> {
    const service = await this.getService(canary);
    return primaryRevision(service) === latestRevision(canary, service);
  }

  haveDependenciesChanged(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** The latest revision becomes the primary. */
  async promote(canary: Canary): Promise<void> {
    await this.update(canary, service => {
      (service.metadata ??= {}).annotations = {
        ...service.metadata.annotations,
        [PRIMARY_REVISION_ANNOTATION]: latestRevision(canary, service),
      };
    });
  }

  async scaleToZero(): Promise<void> {
    // Knative scales revisions by their traffic.
  }

  async scaleFromZero(): Promise<void> {
    // Knative scales revisions by their traffic.
  }

  async finalize(): Promise<void> {
    // The Knative router takes the annotation and the split away.
  }

  private async revisionReadiness(canary: Canary, name: string): Promise<Readiness> {
    const ref = revisionRef(canary, name);
    let revision: Revision;
    try {
      revision = await this.kube.get<Revision>(ref);
    } catch (err) {
      return notReady(
        `Knative Revision ${name}.${ref.namespace ?? ''} get query error: ${errorMessage(err)}`,
      );
    }
    return revisionReadiness(revision);
  }

  private getService(canary: Canary): Promise<KnativeService> {
    return getQuery<KnativeService>(this.kube, knativeServiceRef(canary), 'Knative Service');
  }

  /** Applies change (re-read and retried on conflicts); a failed write reads as Flagger's update error. */
  private async update(canary: Canary, change: (service: KnativeService) => void): Promise<void> {
    const outcome = { changeFailed: false };
    try {
      await this.kube.modify<KnativeService>(knativeServiceRef(canary), service => {
        outcome.changeFailed = true;
        change(service);
        outcome.changeFailed = false;
        return true;
      });
    } catch (err) {
      if (outcome.changeFailed) throw err;
      throw new Error(
        `Knative Service ${knativeServiceId(canary)} update query error: ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    }
    this.logger
      .child({ canary: canaryKey(canary) })
      .info(`Knative Service ${knativeServiceId(canary)} updated`);
  }
}

/** The name of the revision under analysis (the metric queries' `{{ route }}` for a Knative target). */
export async function latestCreatedRevision(kube: KubeClient, canary: Canary): Promise<string> {
  const service = await getQuery<KnativeService>(kube, knativeServiceRef(canary), 'Knative Service');
  return latestRevision(canary, service);
}

function notReady(message: string): Readiness {
  return { ready: false, retriable: true, message };
}
