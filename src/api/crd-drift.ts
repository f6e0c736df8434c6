// How an installed CRD falls short of ours. `helm upgrade` never upgrades the CRDs of a chart's crds/, so after
// Flagger's image is swapped for ours the API server may still serve Flagger's CRDs: it then prunes the fields
// of our extensions (analysis.delay, metrics[].compare, status.metricChecks, ...) when it stores an object, and
// those features silently do nothing. These functions say which fields are missing, and which ones a canary
// asked for and lost.
import { fieldSchema } from './schema-audit.ts';
import type { Problem } from './validate-kit.ts';

type Json = Record<string, unknown>;

/** What upgrades the CRDs; deploy/crds/crds.yaml and the Helm chart's crds/crd.yaml are the same file. */
export const CRD_UPGRADE_COMMAND = 'kubectl apply -f deploy/crds/crds.yaml';

/** Where kubectl apply keeps the object as the user applied it. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keepsEverything(schema: Json): boolean {
  return schema['x-kubernetes-preserve-unknown-fields'] === true;
}

/**
 * The fields `ours` declares that `served` lacks, each the topmost missing one of its branch, e.g.
 * `spec.analysis.delay` or `spec.analysis.metrics[].compare` (`[]`: any item of a list, `*`: any map value).
 * The root `metadata` is the API server's own business and is left out.
 */
export function undeclaredFields(ours: unknown, served: unknown, path = ''): string[] {
  if (!isObject(ours) || !isObject(served) || keepsEverything(served)) return [];
  const missing: string[] = [];
  for (const [key, child] of Object.entries(isObject(ours.properties) ? ours.properties : {})) {
    if (path === '' && key === 'metadata') continue;
    const childPath = path === '' ? key : `${path}.${key}`;
    const servedChild = fieldSchema(served, key);
    if (servedChild === undefined) missing.push(childPath);
    else missing.push(...undeclaredFields(child, servedChild, childPath));
  }
  if (isObject(ours.additionalProperties)) {
    const servedValues = served.additionalProperties;
    if (isObject(servedValues))
      missing.push(...undeclaredFields(ours.additionalProperties, servedValues, `${path}.*`));
    else missing.push(`${path}.*`);
  }
  missing.push(...undeclaredFields(ours.items, served.items, `${path}[]`));
  return missing;
}

/**
 * The fields of `applied` (an object as its author applied it) that `ours` would keep but `served` dropped,
 * and that `stored` (the object as the API server holds it) indeed lacks: an extension lost to an older CRD.
 * Paths carry list indexes, e.g. `spec.analysis.metrics[0].compare`. A field that the stored object has (the
 * CRD was upgraded and the object applied again since) is not reported.
 */
export function droppedFields(
  applied: unknown,
  stored: unknown,
  ours: unknown,
  served: unknown,
  path = '',
): string[] {
  if (!isObject(ours) || !isObject(served) || keepsEverything(served)) return [];
  if (Array.isArray(applied)) {
    const storedItems: unknown[] = Array.isArray(stored) ? stored : [];
    return applied.flatMap((item, index) =>
      droppedFields(item, storedItems[index], ours.items, served.items, `${path}[${index}]`),
    );
  }
  if (!isObject(applied)) return [];
  const storedFields = isObject(stored) ? stored : {};
  return Object.entries(applied).flatMap(([key, value]) => {
    if (path === '' && key === 'metadata') return [];
    const childPath = path === '' ? key : `${path}.${key}`;
    const ourChild = fieldSchema(ours, key);
    // A field our CRD would drop as well is a mistake of the author, not an extension (the schema check says so).
    if (ourChild === undefined) return [];
    const servedChild = fieldSchema(served, key);
    if (servedChild === undefined) return Object.hasOwn(storedFields, key) ? [] : [childPath];
    return droppedFields(value, storedFields[key], ourChild, servedChild, childPath);
  });
}

/** The object as `kubectl apply` last applied it, from its annotation; undefined without (or unreadable). */
export function lastApplied(object: { metadata?: { annotations?: Record<string, string> } }): unknown {
  const text = object.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The spec fields an object was applied with that the API server dropped, as droppedFields says. */
export function droppedSpecFields(
  object: { metadata?: { annotations?: Record<string, string> }; spec?: unknown },
  ours: unknown,
  served: unknown,
): string[] {
  const applied = lastApplied(object);
  if (!isObject(applied) || !isObject(ours) || !isObject(served)) return [];
  const spec = (schema: Json) => (isObject(schema.properties) ? schema.properties.spec : undefined);
  return droppedFields(applied.spec, object.spec, spec(ours), spec(served), 'spec');
}

/** The start-up warning about a served CRD that lacks some of our fields. */
export function undeclaredFieldsWarning(crdName: string, fields: readonly string[]): string {
  return (
    `CRD ${crdName} lacks fields this controller uses: ${fields.join(', ')}. The API server drops them, so ` +
    `the features that use them do nothing. Upgrade the CRDs (helm upgrade does not): ${CRD_UPGRADE_COMMAND}`
  );
}

/** The validation problem of an object whose applied spec lost `fields` (not empty) to an older CRD. */
export function droppedFieldsProblem(kind: string, fields: readonly string[]): Problem {
  const them = fields.length === 1 ? 'it' : 'them';
  return {
    field: fields[0] ?? 'spec',
    message:
      `${fields.join(', ')}: dropped by the API server, whose ${kind} CRD lacks ${them} (an older CRD, e.g. ` +
      `Flagger's: helm upgrade does not upgrade CRDs). Upgrade the CRDs with ${CRD_UPGRADE_COMMAND}, then ` +
      `apply the ${kind.toLowerCase()} again`,
  };
}
