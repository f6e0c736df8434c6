// Knative Services (serving.knative.dev/v1) as a canary target: the primary is a revision pinned by the
// `flagger.app/primary-revision` annotation, the canary is the latest created revision, and spec.traffic splits
// between them. Shapes and pure functions shared by the Knative target and the Knative router.
import type { Canary } from '../api/canary.ts';
import type { KubeObject, ObjectRef } from '../kube/types.ts';
import type { Readiness } from './types.ts';

export const KNATIVE_API_VERSION = 'serving.knative.dev/v1';
/** Knative Service annotation naming the primary revision. */
export const PRIMARY_REVISION_ANNOTATION = 'flagger.app/primary-revision';

export interface TrafficTarget {
  revisionName?: string;
  latestRevision?: boolean;
  percent?: number;
  tag?: string;
  configurationName?: string;
  url?: string;
}

export interface KnativeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface KnativeService extends KubeObject {
  spec?: { template?: unknown; traffic?: TrafficTarget[] };
  status?: {
    observedGeneration?: number;
    latestCreatedRevisionName?: string;
    latestReadyRevisionName?: string;
    traffic?: TrafficTarget[];
    conditions?: KnativeCondition[];
  };
}

export interface Revision extends KubeObject {
  status?: { observedGeneration?: number; conditions?: KnativeCondition[] };
}

/** The split as Knative routes it: weights add up to 100, and there is no mirroring. */
export interface TrafficSplit {
  primaryWeight: number;
  canaryWeight: number;
}

/** True for a target that is a Knative Service rather than a core Service. */
export function isKnativeTarget(canary: Canary): boolean {
  const { apiVersion, kind } = canary.spec.targetRef;
  return kind === 'Service' && apiVersion.startsWith('serving.knative.dev/');
}

/** The canary's target Knative Service. */
export function knativeServiceRef(canary: Canary): ObjectRef {
  return {
    apiVersion: KNATIVE_API_VERSION,
    kind: 'Service',
    name: canary.spec.targetRef.name,
    namespace: canary.metadata.namespace,
  };
}

export function revisionRef(canary: Canary, name: string): ObjectRef {
  return { apiVersion: KNATIVE_API_VERSION, kind: 'Revision', name, namespace: canary.metadata.namespace };
}

/** `<name>.<namespace>` of the target, as messages print it. */
export function knativeServiceId(canary: Canary): string {
  return `${canary.spec.targetRef.name}.${canary.metadata.namespace ?? ''}`;
}

/**
 * The revision under analysis: the Service's latest created revision. Quirk fixed: Flagger goes on with an empty
 * name before Knative has created one, and writes an unroutable traffic target.
 */
export function latestRevision(canary: Canary, service: KnativeService): string {
  const name = service.status?.latestCreatedRevisionName ?? '';
  if (name === '') throw new Error(`Knative Service ${knativeServiceId(canary)} has no revision yet`);
  return name;
}

/** The primary revision from the annotation, or undefined when Flagger has not pinned one yet. */
export function primaryRevision(service: KnativeService): string | undefined {
  const name = service.metadata?.annotations?.[PRIMARY_REVISION_ANNOTATION];
  return name === undefined || name === '' ? undefined : name;
}

/** spec.traffic for a split: the latest revision gets the canary's share, the pinned primary the rest. */
export function trafficSpec(primary: string, split: TrafficSplit): TrafficTarget[] {
  return [
    { latestRevision: true, percent: split.canaryWeight },
    { revisionName: primary, percent: split.primaryWeight },
  ];
}

/** True when spec.traffic has the shape trafficSpec writes (so that undoing it takes nothing of the user's). */
export function isFlaggerTraffic(traffic: TrafficTarget[] | undefined, primary: string | undefined): boolean {
  const [latest, pinned, ...rest] = traffic ?? [];
  return (
    rest.length === 0 &&
    latest?.latestRevision === true &&
    latest.revisionName === undefined &&
    pinned !== undefined &&
    pinned.latestRevision !== true &&
    pinned.revisionName === primary
  );
}

/**
 * The split Knative reports in status.traffic: the canary is the latest-revision target, the primary the target
 * pinned to the primary revision. Quirk fixed: Knative resolves the revision name of the latest-revision target
 * too, so while the latest revision is the primary one (after initialization or promotion) Flagger takes that
 * target for the primary and reports 0/0; the pinned target is the one that is not marked latest.
 */
export function readTraffic(
  traffic: TrafficTarget[] | undefined,
  primary: string,
): TrafficSplit | { problem: string } {
  const targets = traffic ?? [];
  const latest = targets.find(target => target.latestRevision === true);
  const pinned =
    targets.find(target => target.latestRevision !== true && target.revisionName === primary) ??
    // Just after a promotion the primary is the latest revision while Knative still routes the analysis' split,
    // until the promotion's own split: the latest-revision target then carries the primary's traffic, as Flagger
    // reads it. Without this the promotion would stop there for good.
    (latest?.revisionName === primary ? latest : undefined);
  if (latest === undefined || pinned === undefined) return { problem: 'traffic spec invalid' };
  if (pinned.percent === undefined) return { problem: 'primary revision traffic percent does not exist' };
  if (latest.percent === undefined) return { problem: 'canary revision traffic percent does not exist' };
  return { primaryWeight: pinned.percent, canaryWeight: latest.percent };
}

/**
 * A revision is ready when Knative has seen its current generation and its Ready condition is True (Knative's
 * Revision.IsReady). Not ready is always retriable, as in Flagger.
 */
export function revisionReadiness(revision: Revision): Readiness {
  const status = revision.status;
  const seen = (status?.observedGeneration ?? 0) === (revision.metadata?.generation ?? 0);
  const ready = status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True') === true;
  if (seen && ready) return { ready: true };
  const name = `${revision.metadata?.name ?? ''}.${revision.metadata?.namespace ?? ''}`;
  return { ready: false, retriable: true, message: `Knative Revision ${name} is not ready` };
}
