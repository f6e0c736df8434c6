// Config tracking (-enable-config-tracking): the ConfigMaps and Secrets a pod template uses, their checksums
// (status.trackedConfigs) and their `-primary` copies (Flagger's pkg/canary/config_tracker.go).
import type { Canary } from '../api/canary.ts';
import type { KubeClient } from '../kube/client.ts';
import { isAlreadyExists, isNotFound } from '../kube/errors.ts';
import type { ConfigMap, ObjectMeta, Secret } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { configChecksum } from '../util/hash.ts';
import {
  canaryKey,
  canaryNamespace,
  dotted,
  includeByPrefix,
  isCanaryRef,
  primaryName,
} from './generated-metadata.ts';
import { canaryOwnerReference } from '../api/generated-objects.ts';
import { errorMessage } from './flagger-errors.ts';
import { configKey, configRefSites, type ConfigKind } from './config-refs.ts';
import type { PodSpec } from './metadata.ts';
import type { TargetDeps } from './types.ts';

/** A ConfigMap or Secret the pod template uses and whose changes start a new release. */
export interface TrackedConfig {
  kind: ConfigKind;
  name: string;
  checksum: string;
  source: ConfigMap | Secret;
}

/** Tracked configs by key (`configmap/<name>`, `secret/<name>`). */
export type TrackedConfigs = ReadonlyMap<string, TrackedConfig>;

/** A reference found in a pod spec; required unless every reference to the object is optional. */
export interface ConfigReference {
  kind: ConfigKind;
  name: string;
  required: boolean;
}

/** Objects with this annotation set to a value starting with "disable" are not tracked. */
export const CONFIG_TRACKING_ANNOTATION = 'flagger.app/config-tracking';

/** Registry credentials and service-account tokens are not application config. */
const TRACKED_SECRET_TYPES = new Set([
  'Opaque',
  'kubernetes.io/basic-auth',
  'kubernetes.io/ssh-auth',
  'kubernetes.io/tls',
]);

/** The ConfigMaps and Secrets a pod spec references, each once. */
export function scanConfigRefs(spec: PodSpec): ConfigReference[] {
  const found = new Map<string, ConfigReference>();
  for (const { kind, name, optional } of configRefSites(spec)) {
    if (!name) continue;
    const key = configKey(kind, name);
    // Optional only when every reference is: one required use makes the object required.
    const required = optional !== true || found.get(key)?.required === true;
    found.set(key, { kind, name, required });
  }
  return [...found.values()];
}

/** status.trackedConfigs for a set of tracked configs. */
export function configChecksums(configs: TrackedConfigs): Record<string, string> {
  return Object.fromEntries([...configs].map(([key, config]) => [key, config.checksum]));
}

/** The first tracked config whose checksum differs from status.trackedConfigs, or a count mismatch. */
export function changedConfig(
  current: Record<string, string>,
  tracked: Record<string, string> | undefined,
): { changed: false } | { changed: true; key?: string } {
  const keys = Object.keys(current);
  if (tracked === undefined) return keys.length === 0 ? { changed: false } : { changed: true };
  if (keys.length !== Object.keys(tracked).length) return { changed: true };
  const key = keys.find(k => tracked[k] !== current[k]);
  return key === undefined ? { changed: false } : { changed: true, key };
}

function trackingDisabled(meta: ObjectMeta | undefined): boolean {
  return meta?.annotations?.[CONFIG_TRACKING_ANNOTATION]?.startsWith('disable') === true;
}

/** Reads the configs a pod template uses and keeps their `-primary` copies in sync. */
export class ConfigTracker {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  /** -enable-config-tracking; when off nothing is tracked and nothing ever counts as changed. */
  readonly enabled: boolean;
  private readonly includeLabelPrefix: string[];

  constructor(deps: TargetDeps) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.enabled = deps.options.enableConfigTracking;
    this.includeLabelPrefix = deps.options.includeLabelPrefix;
  }

  /** The tracked configs of a pod spec; none when config tracking is off. */
  async targetConfigs(canary: Canary, spec: PodSpec): Promise<TrackedConfigs> {
    const configs = new Map<string, TrackedConfig>();
    if (!this.enabled) return configs;
    for (const ref of scanConfigRefs(spec)) {
      const config = await this.read(canary, ref);
      if (config) configs.set(configKey(ref.kind, ref.name), config);
    }
    return configs;
  }

  /** Creates or updates `<name>-primary` for every tracked config. */
  async createPrimaryConfigs(canary: Canary, configs: TrackedConfigs): Promise<void> {
    for (const config of configs.values()) {
      const name = primaryName(config.name);
      await this.upsert(canary, config, name);
      const kind = config.kind === 'configmap' ? 'ConfigMap' : 'Secret';
      this.logger.child({ canary: canaryKey(canary) }).info(`${kind} ${name} synced`);
    }
  }

  private async read(canary: Canary, ref: ConfigReference): Promise<TrackedConfig | undefined> {
    const namespace = canaryNamespace(canary);
    const kind = ref.kind === 'configmap' ? 'ConfigMap' : 'Secret';
    const where = dotted(ref.name, namespace);
    let source: ConfigMap | Secret;
    try {
      source = await this.kube.get({ apiVersion: 'v1', kind, name: ref.name, namespace });
    } catch (err) {
      // A missing optional reference is allowed, as it is for the pods; any other failure is reported.
      if (ref.required || !isNotFound(err)) {
        throw new Error(`${ref.kind} ${where} get query error: ${errorMessage(err)}`, { cause: err });
      }
      this.logger.error(`${ref.kind} ${where} get query failed: ${errorMessage(err)}`);
      return undefined;
    }
    if (ref.kind === 'secret' && !TRACKED_SECRET_TYPES.has((source as Secret).type ?? 'Opaque')) {
      this.logger.debug(`ignoring secret ${where} type not supported ${(source as Secret).type ?? ''}`);
      return undefined;
    }
    if (trackingDisabled(source.metadata)) return undefined;
    return { kind: ref.kind, name: ref.name, checksum: configChecksum(source.data), source };
  }

  private async upsert(canary: Canary, config: TrackedConfig, name: string): Promise<void> {
    const namespace = canaryNamespace(canary);
    const kind = config.kind === 'configmap' ? 'ConfigMap' : 'Secret';
    const build = (existing: ObjectMeta | undefined): ConfigMap | Secret => ({
      apiVersion: 'v1',
      kind,
      metadata: {
        name,
        namespace,
        resourceVersion: existing?.resourceVersion,
        // No annotations: Flagger writes the copy without any, so an update also drops those put on it since.
        labels: includeByPrefix(config.source.metadata?.labels, this.includeLabelPrefix),
        // Owners other than this canary (e.g. a Helm release's) stay, but only the canary is the controller.
        ownerReferences: [
          canaryOwnerReference(canary),
          ...(existing?.ownerReferences ?? [])
            .filter(ref => !isCanaryRef(ref, canary))
            .map(ref => ({ ...ref, controller: false })),
        ],
      },
      ...copiedContent(config),
    });
    const ref = { apiVersion: 'v1', kind, name, namespace };
    if (!(await this.kube.tryGet(ref))) {
      try {
        await this.kube.create(build(undefined));
        return;
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    await this.kube.modify<ConfigMap | Secret>(ref, current => {
      Object.assign(current, build(current.metadata));
      return true;
    });
  }
}

/** What a primary copy takes over: data and type of a Secret; data and binaryData of a ConfigMap. */
function copiedContent(config: TrackedConfig): Partial<ConfigMap & Secret> {
  if (config.kind === 'secret') {
    const secret = config.source as Secret;
    return { type: secret.type, data: secret.data };
  }
  const configMap = config.source as ConfigMap;
  return { data: configMap.data, binaryData: configMap.binaryData };
}
