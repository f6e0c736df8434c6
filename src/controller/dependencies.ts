// Watches what a canary depends on (its target Deployment/DaemonSet and the ConfigMaps/Secrets it tracks), so
// that a change is acted on at once. The watches carry metadata only: a change here only nudges the canaries it
// concerns, whose tick then reads what it needs, so no ConfigMap or Secret data is held in memory. A new pod
// template (generation) counts for workloads, any update for configs (their checksum decides in the tick);
// status-only updates of workloads are ignored.
import type { Canary } from '../api/canary.ts';
import type { KubeClient } from '../kube/client.ts';
import { Informer } from '../kube/informer.ts';
import type { DaemonSet, Deployment, KubeObject } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';

/** Called with the namespace of a change and a test of which canaries it concerns. */
export type OnDependencyChange = (namespace: string, concerns: (canary: Canary) => boolean) => void;

interface WatchOptions {
  namespace?: string;
  relistIntervalMs?: number;
  /** -enable-config-tracking: without it, ConfigMaps and Secrets are not watched at all. */
  trackConfigs?: boolean;
}

/** One kind of dependency: what counts as a change, and which canaries it concerns. */
interface WatchedKind<T extends KubeObject> {
  apiVersion: string;
  kind: string;
  changed(old: T, obj: T): boolean;
  concerns(name: string): (canary: Canary) => boolean;
}

const generationChanged = (old: KubeObject, obj: KubeObject): boolean =>
  old.metadata?.generation !== obj.metadata?.generation;

/** Starts the watches; returns a function that stops them. */
export function watchDependencies(
  kube: KubeClient,
  options: WatchOptions,
  logger: Logger,
  onChange: OnDependencyChange,
): () => void {
  const informers = [
    watch<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      changed: generationChanged,
      concerns: targets('Deployment'),
    }),
    watch<DaemonSet>({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      changed: generationChanged,
      concerns: targets('DaemonSet'),
    }),
    ...(options.trackConfigs === false
      ? []
      : [
          watch({ apiVersion: 'v1', kind: 'ConfigMap', changed: updated, concerns: tracks('configmap') }),
          watch({ apiVersion: 'v1', kind: 'Secret', changed: updated, concerns: tracks('secret') }),
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
    informer.addHandlers({
      onUpdate: (old, obj) => {
        if (watched.changed(old, obj))
          onChange(obj.metadata?.namespace ?? '', watched.concerns(obj.metadata?.name ?? ''));
      },
    });
    return informer;
  }
}

type Concerns = WatchedKind<KubeObject>['concerns'];

function targets(kind: string): Concerns {
  return name => canary => canary.spec.targetRef.kind === kind && canary.spec.targetRef.name === name;
}

/** A config concerns the canaries that track it (status.trackedConfigs keys are "configmap/<name>"). */
function tracks(prefix: 'configmap' | 'secret'): Concerns {
  return name => canary => `${prefix}/${name}` in (canary.status?.trackedConfigs ?? {});
}

function updated(old: KubeObject, obj: KubeObject): boolean {
  return old.metadata?.resourceVersion !== obj.metadata?.resourceVersion;
}
