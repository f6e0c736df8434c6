// Every place a pod spec names a ConfigMap or Secret: volumes, projected volume sources, and env / envFrom of
// containers and init containers. Config tracking reads these names; the primary's template renames them.
import type { Container, PodSpec } from './metadata.ts';

export type ConfigKind = 'configmap' | 'secret';

/** One reference to a ConfigMap or Secret inside a pod spec. */
export interface ConfigRefSite {
  kind: ConfigKind;
  name: string | undefined;
  optional: boolean | undefined;
  /** Points this reference at another object (the spec is changed in place). */
  rename(name: string): void;
}

type Volume = NonNullable<PodSpec['volumes']>[number];

interface NamedRef {
  name?: string;
  optional?: boolean;
}

/** The key of a config in status.trackedConfigs: `configmap/<name>` or `secret/<name>`. */
export function configKey(kind: ConfigKind, name: string): string {
  return `${kind}/${name}`;
}

export function configRefSites(spec: PodSpec): ConfigRefSite[] {
  const containers: Container[] = [...spec.containers, ...(spec.initContainers ?? [])];
  return [...(spec.volumes ?? []).flatMap(volumeSites), ...containers.flatMap(containerSites)];
}

function site(kind: ConfigKind, ref: NamedRef | undefined): ConfigRefSite[] {
  if (!ref) return [];
  return [{ kind, name: ref.name, optional: ref.optional, rename: name => (ref.name = name) }];
}

function volumeSites(volume: Volume): ConfigRefSite[] {
  const secret = volume.secret;
  const secretSite: ConfigRefSite[] = secret
    ? [
        {
          kind: 'secret',
          name: secret.secretName,
          optional: secret.optional,
          rename: n => (secret.secretName = n),
        },
      ]
    : [];
  const projected = (volume.projected?.sources ?? []).flatMap(source => [
    ...site('configmap', source.configMap),
    ...site('secret', source.secret),
  ]);
  return [...site('configmap', volume.configMap), ...secretSite, ...projected];
}

function containerSites(container: Container): ConfigRefSite[] {
  const env = (container.env ?? []).flatMap(variable => [
    ...site('configmap', variable.valueFrom?.configMapKeyRef),
    ...site('secret', variable.valueFrom?.secretKeyRef),
  ]);
  const envFrom = (container.envFrom ?? []).flatMap(source => [
    ...site('configmap', source.configMapRef),
    ...site('secret', source.secretRef),
  ]);
  return [...env, ...envFrom];
}
