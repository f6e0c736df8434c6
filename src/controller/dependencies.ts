// Watches what a canary depends on (its target Deployment/DaemonSet and the ConfigMaps/Secrets it tracks) and
// what it generates (the primary, the Services), so that a change is acted on at once: idle canaries are not
// polled. The watches carry metadata only: a change here only nudges the canaries it concerns, whose tick then
// reads what it needs, so no ConfigMap or Secret data is held in memory.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import type { KubeClient } from '../kube/client.ts';
import { Informer } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import { primaryName } from '../targets/generated-metadata.ts';
import type { Logger } from '../logging/logger.ts';

/** Called with the namespace of a change and a test of which canaries it concerns. */
export type OnDependencyChange = (namespace: string, concerns: (canary: Canary) => boolean) => void;

interface WatchOptions {
  namespace?: string;
  relistIntervalMs?: number;
  /** -enable-config-tracking: without it, ConfigMaps and Secrets are not watched at all. */
  trackConfigs?: boolean;
}

/** Which canaries a change or a deletion concerns; undefined: none. */
type Concerns = ((canary: Canary) => boolean) | undefined;

/** One kind of dependency: which canaries an update or a deletion of an object of the kind concerns. */
interface WatchedKind<T extends KubeObject> {
  apiVersion: string;
  kind: string;
  updated(old: T, obj: T): Concerns;
  deleted?(obj: T): Concerns;
}

/** Targets whose changes are watched; a canary of another target (a Knative Service) is polled each interval. */
export function watchedTarget(canary: Canary): boolean {
  const { apiVersion, kind } = canary.spec.targetRef;
  return apiVersion === 'apps/v1' && (kind === 'Deployment' || kind === 'DaemonSet');
}

/** Starts the watches; returns a function that stops them. */
export function watchDependencies(
  kube: KubeClient,
  options: WatchOptions,
  logger: Logger,
  onChange: OnDependencyChange,
): () => void {
  const informers = [
    watch(workloads('Deployment')),
    watch(workloads('DaemonSet')),
    watch({ apiVersion: 'v1', kind: 'Service', updated: () => undefined, deleted: generatedService }),
    ...(options.trackConfigs === false
      ? []
      : [
          watch({ apiVersion: 'v1', kind: 'ConfigMap', updated: tracks('configmap') }),
          watch({ apiVersion: 'v1', kind: 'Secret', updated: tracks('secret') }),
        ]),
  ];
  for (const informer of informers) informer.start();
  return () => {
    for (const informer of informers) informer.stop();
  };

  function watch<T extends KubeObject>(watched: WatchedKind<T>): Informer<T> {
    const { apiVersion, kind } = watched;
    const informer = new Informer<T>(kube, {
      apiVersion,
      kind,
      namespace: options.namespace,
      logger,
      relistIntervalMs: options.relistIntervalMs,
      metadataOnly: true,
    });
    const report = (obj: T, concerns: Concerns) => {
      if (concerns) onChange(obj.metadata?.namespace ?? '', concerns);
    };
    informer.addHandlers({
      onUpdate: (old, obj) => report(obj, watched.updated(old, obj)),
      onDelete: obj => report(obj, watched.deleted?.(obj)),
    });
    return informer;
  }
}

/**
 * A new pod template (generation) of a target starts a release. Any update of a primary may be its readiness,
 * which an initialising canary waits for. A deleted primary is re-created.
 */
function workloads(kind: 'Deployment' | 'DaemonSet'): WatchedKind<KubeObject> {
  const isTarget = (name: string) => (canary: Canary) =>
    canary.spec.targetRef.kind === kind && canary.spec.targetRef.name === name;
  const isPrimary = (name: string) => (canary: Canary) =>
    canary.spec.targetRef.kind === kind && primaryName(canary.spec.targetRef.name) === name;
  return {
    apiVersion: 'apps/v1',
    kind,
    updated: (old, obj) => {
      const name = obj.metadata?.name ?? '';
      if (old.metadata?.generation !== obj.metadata?.generation) return isTarget(name);
      const primary = isPrimary(name);
      return canary => primary(canary) && (canary.status?.phase ?? 'Initializing') === 'Initializing';
    },
    deleted: obj => isPrimary(obj.metadata?.name ?? ''),
  };
}

/** A deleted Service the canary generates is re-created. */
function generatedService(obj: KubeObject): Concerns {
  const name = obj.metadata?.name ?? '';
  return canary => Object.values(serviceNames(canary.spec)).includes(name);
}

/**
 * A config concerns the canaries that track it (status.trackedConfigs keys are "configmap/<name>"); any update
 * counts, the checksum decides in the tick.
 */
function tracks(prefix: 'configmap' | 'secret'): WatchedKind<KubeObject>['updated'] {
  return (old, obj) => {
    if (old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return undefined;
    const key = `${prefix}/${obj.metadata?.name ?? ''}`;
    return canary => key in (canary.status?.trackedConfigs ?? {});
  };
}
