// Provider `knative` (Flagger's KnativeRouter): no objects of its own. The split lives in the target Knative
// Service's spec.traffic, between its latest revision (the canary) and the revision pinned by the
// `flagger.app/primary-revision` annotation (the primary); Knative reports what it routes in status.traffic.
// No A/B testing, mirroring or session affinity.
import type { Canary } from '../api/canary.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../logging/logger.ts';
import {
  PRIMARY_REVISION_ANNOTATION,
  isFlaggerTraffic,
  knativeServiceId,
  knativeServiceRef,
  latestRevision,
  primaryRevision,
  readTraffic,
  trafficSpec,
  type KnativeService,
} from '../targets/knative-service.ts';
import { canaryLogger } from './generated-metadata.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';

export class KnativeRouter implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;

  constructor(deps: Pick<RouterDeps, 'kube' | 'logger'>) {
    this.kube = deps.kube;
    this.logger = deps.logger;
  }

  /** Pins the latest revision as the primary when no revision is pinned yet. */
  async reconcile(canary: Canary): Promise<void> {
    if (primaryRevision(await this.get(canary)) !== undefined) return;
    const changed = await this.update(canary, service => {
      if (primaryRevision(service) !== undefined) return false;
      (service.metadata ??= {}).annotations = {
        ...service.metadata.annotations,
        [PRIMARY_REVISION_ANNOTATION]: latestRevision(canary, service),
      };
      return true;
    });
    if (changed)
      canaryLogger(this.logger, canary).info(`Knative Service ${knativeServiceId(canary)} updated`);
  }

  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    await this.update(canary, service => {
      service.spec = { ...service.spec, traffic: trafficSpec(pinned(canary, service), routes) };
      return true;
    });
    return {};
  }

  /** The split Knative routes (status.traffic), which follows spec.traffic once Knative has reconciled it. */
  async getRoutes(canary: Canary): Promise<Routes> {
    const service = await this.get(canary);
    const split = readTraffic(service.status?.traffic, pinned(canary, service));
    if ('problem' in split) throw new Error(`Knative Service ${knativeServiceId(canary)} ${split.problem}`);
    return { ...split, mirrored: false };
  }

  /**
   * Removes the primary-revision annotation. Quirk fixed: Flagger leaves spec.traffic pinned to the old primary,
   * so that no later revision would ever get traffic; a split in the shape Flagger writes is removed too, which
   * hands routing back to Knative's default (all traffic to the latest revision).
   */
  async finalize(canary: Canary): Promise<void> {
    const current = await this.kube.tryGet<KnativeService>(knativeServiceRef(canary));
    if (current === undefined) {
      canaryLogger(this.logger, canary).warn(
        `Knative Service ${knativeServiceId(canary)} not found, nothing to revert`,
      );
      return;
    }
    const changed = await this.update(canary, service => {
      const primary = primaryRevision(service);
      const annotations = Object.entries(service.metadata?.annotations ?? {});
      const kept = annotations.filter(([key]) => key !== PRIMARY_REVISION_ANNOTATION);
      const split = isFlaggerTraffic(service.spec?.traffic, primary);
      if (kept.length === annotations.length && !split) return false;
      (service.metadata ??= {}).annotations = Object.fromEntries(kept);
      if (split && service.spec) delete service.spec.traffic;
      return true;
    });
    if (changed)
      canaryLogger(this.logger, canary).info(`Knative Service ${knativeServiceId(canary)} updated`);
  }

  private async get(canary: Canary): Promise<KnativeService> {
    try {
      return await this.kube.get<KnativeService>(knativeServiceRef(canary));
    } catch (err) {
      throw new Error(
        `Knative Service ${knativeServiceId(canary)} get query error: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  /** Applies change (re-read and retried on conflicts); false when it changed nothing. */
  private async update(canary: Canary, change: (service: KnativeService) => boolean): Promise<boolean> {
    const outcome = { changed: false, changeFailed: false };
    try {
      await this.kube.modify<KnativeService>(knativeServiceRef(canary), service => {
        outcome.changeFailed = true;
        outcome.changed = change(service);
        outcome.changeFailed = false;
        return outcome.changed;
      });
    } catch (err) {
      if (outcome.changeFailed) throw err;
      throw new Error(
        `Knative Service ${knativeServiceId(canary)} update query error: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return outcome.changed;
  }
}

/** The pinned primary revision; Flagger's error when the Service has none. */
function pinned(canary: Canary, service: KnativeService): string {
  const primary = primaryRevision(service);
  if (primary === undefined)
    throw new Error(`Knative Service ${knativeServiceId(canary)} annotation not found`);
  return primary;
}
