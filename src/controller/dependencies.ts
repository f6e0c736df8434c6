// Watches what a canary depends on (its target Deployment/DaemonSet and the ConfigMaps/Secrets it tracks) and
// what it generates (the primary, the Services), so that a change is acted on at once: idle canaries are not
// polled. The watches carry metadata only: a change here only nudges the canaries it concerns, whose tick then
// reads what it needs, so no ConfigMap or Secret data is held in memory. The versions they see also tell a tick
// which of its previous tick's reads are still current (scheduler/carried-reads.ts).
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import type { KubeClient } from '../kube/client.ts';
import { Informer } from '../kube/informer.ts';
import type { IsCurrent } from '../kube/read-scope.ts';
import { namespacedKey, type KubeObject } from '../kube/types.ts';
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

function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
}

/** Targets whose changes are watched; a canary of another target (a Knative Service) is polled each interval. */
export function watchedTarget(canary: Canary): boolean {
  const { apiVersion, kind } = canary.spec.targetRef;
  return apiVersion === 'apps/v1' && (kind === 'Deployment' || kind === 'DaemonSet');
}

/** The running watches. */
export interface Dependencies {
  stop(): void;
  /** Whether a watched object is still at resourceVersion: a tick may use its copy from the previous tick. */
  isCurrent: IsCurrent;
}

/** Starts the watches. */
export function watchDependencies(
  kube: KubeClient,
  options: WatchOptions,
  logger: Logger,
  onChange: OnDependencyChange,
): Dependencies {
  const informers = new Map([
    watch(workloads('Deployment')),
    watch(workloads('DaemonSet')),
    watch({ apiVersion: 'v1', kind: 'Service', updated: () => undefined, deleted: generatedService }),
    ...(options.trackConfigs === false
      ? []
      : [
          watch({ apiVersion: 'v1', kind: 'ConfigMap', updated: tracks('configmap') }),
          watch({ apiVersion: 'v1', kind: 'Secret', updated: tracks('secret') }),
        ]),
  ]);
  for (const informer of informers.values()) informer.start();
  return {
    stop: () => {
      for (const informer of informers.values()) informer.stop();
    },
    isCurrent: (server, ref, resourceVersion) => {
      if (server !== kube.server) return false;
      const informer = informers.get(kindKey(ref.apiVersion, ref.kind));
      const watched = informer?.get(namespacedKey(ref.namespace, ref.name));
      return watched?.metadata?.resourceVersion === resourceVersion;
    },
  };

  /** The informer of one kind, not started yet, under its kindKey. */
  function watch<T extends KubeObject>(watched: WatchedKind<T>): [string, Informer<T>] {
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
    return [kindKey(apiVersion, kind), informer];
  }
}

/**
 * A new pod template (generation) of a target starts a release; a deleted primary is re-created. The primary's
 * readiness is not watched: its status changes several times per rollout, and a tick per change cost an
 * initialising canary four times the requests of waiting for the interval (as Flagger does).
 */
function workloads(kind: 'Deployment' | 'DaemonSet'): WatchedKind<KubeObject> {
  const named = (name: string, primary: boolean) => (canary: Canary) =>
    canary.spec.targetRef.kind === kind &&
    (primary ? primaryName(canary.spec.targetRef.name) : canary.spec.targetRef.name) === name;
  return {
    apiVersion: 'apps/v1',
    kind,
    updated: (old, obj) =>
      old.metadata?.generation === obj.metadata?.generation
        ? undefined
        : named(obj.metadata?.name ?? '', false),
    deleted: obj => named(obj.metadata?.name ?? '', true),
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
