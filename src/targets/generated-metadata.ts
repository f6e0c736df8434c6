// Labels, annotations and owner references of the objects generated for a canary (primary workloads, their
// ConfigMaps/Secrets and autoscalers), following Flagger's pkg/canary/util.go and pkg/router/util.go.
import type { Canary } from '../api/canary.ts';
import type { OwnerReference } from '../kube/types.ts';

type StringMap = Record<string, string>;

/** Keys containing this belong to Flux; they are never copied from a target to a generated object. */
const TOOLKIT_MARKER = 'toolkit.fluxcd.io';

/** The pod-template annotation renewed on every create and promote to force a rolling update. */
export const FLAGGER_ID_ANNOTATION = 'flagger-id';

export function primaryName(name: string): string {
  return `${name}-primary`;
}

/** The `name.namespace` form Flagger uses in its log and error messages. */
export function dotted(name: string, namespace: string): string {
  return `${name}.${namespace}`;
}

export function canaryNamespace(canary: Canary): string {
  const namespace = canary.metadata.namespace;
  if (!namespace) throw new Error(`canary ${canary.metadata.name ?? ''} has no namespace`);
  return namespace;
}

/** The canary's `name.namespace`, the value of the `canary` log key. */
export function canaryKey(canary: Canary): string {
  return dotted(canary.metadata.name ?? '', canaryNamespace(canary));
}

/** A copy without the given keys. */
export function omitKeys(map: StringMap | undefined, ...keys: string[]): StringMap {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => !keys.includes(key)));
}

/** A copy without the Flux keys. */
export function withoutToolkitKeys(map: StringMap | undefined): StringMap {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => !key.includes(TOOLKIT_MARKER)));
}

/**
 * The entries whose key starts with one of the -include-label-prefix values ('*' matches all), Flux keys
 * excluded. An empty prefix matches nothing, so the flag's default ("") copies nothing, as Flagger documents.
 */
export function includeByPrefix(map: StringMap | undefined, prefixes: readonly string[]): StringMap {
  const matches = (key: string) => prefixes.some(p => p === '*' || (p !== '' && key.startsWith(p)));
  return Object.fromEntries(Object.entries(withoutToolkitKeys(map)).filter(([key]) => matches(key)));
}

/** Labels without Flux keys and with the selector label set to the primary's value. */
export function primaryLabels(labels: StringMap | undefined, labelKey: string, value: string): StringMap {
  return { ...withoutToolkitKeys(labels), [labelKey]: value };
}

/** Pod annotations without Flux keys and with a new flagger-id. */
export function podAnnotations(annotations: StringMap | undefined, flaggerId: string): StringMap {
  return { ...withoutToolkitKeys(annotations), [FLAGGER_ID_ANNOTATION]: flaggerId };
}

/** True when ref points at this canary. */
export function isCanaryRef(ref: OwnerReference, canary: Canary): boolean {
  return ref.kind === 'Canary' && ref.uid === canary.metadata.uid;
}
