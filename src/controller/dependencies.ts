// Watches what a canary depends on (its target Deployment/DaemonSet and the ConfigMaps/Secrets it tracks), so
// that a change is acted on at once. Only real changes count: a new pod template (generation) for workloads,
// new data for configs; status-only updates are ignored.
import type { Canary } from '../api/canary.ts';
import type { KubeClient } from '../kube/client.ts';
import { Informer } from '../kube/informer.ts';
import type { ConfigMap, DaemonSet, Deployment, KubeObject, Secret } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';

/** Called with the namespace of a change and a test of which canaries it concerns. */
export type OnDependencyChange = (namespace: string, concerns: (canary: Canary) => boolean) => void;

interface WatchOptions {
  namespace?: string;
  relistIntervalMs?: number;
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
    watch<ConfigMap>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      changed: dataChanged,
      concerns: tracks('configmap'),
    }),
    watch<Secret>({ apiVersion: 'v1', kind: 'Secret', changed: dataChanged, concerns: tracks('secret') }),
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

function dataChanged(old: ConfigMap | Secret, obj: ConfigMap | Secret): boolean {
  return (
    JSON.stringify([old.data, 'binaryData' in old ? old.binaryData : undefined]) !==
    JSON.stringify([obj.data, 'binaryData' in obj ? obj.binaryData : undefined])
  );
}
