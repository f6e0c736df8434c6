// What an API server serving the upstream CRDs would say about an object, decided locally: ajv over the served
// version's schema (as src/api/schema-check.ts does for our own CRDs), and the fields the server would prune.
// CEL rules (x-kubernetes-validations) are not evaluated here: ajv knows nothing of them, and the unit tests
// check the ones a generated object can hit as predicates of their own (gateway-api-cel.ts).
import type { ValidateFunction } from 'ajv';
import { prunedFields } from '../../src/api/schema-audit.ts';
import { crdSchemaAjv, describeSchemaError } from '../../src/api/schema-check.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { upstreamFile, type Crd } from './upstream-crds.ts';

/** The problems of an object: errors, and "<path> would be pruned" for each field the server would drop. */
export type SchemaCheck = (object: KubeObject) => string[];

/**
 * A check of Kuma TrafficRoute specs: Kuma's CRD leaves the spec schemaless, its control plane reads it as the
 * TrafficRoute protobuf message, whose JSON schema (kuma-TrafficRoute.proto-schema.json) this applies. That
 * schema allows any other field; here a field the message does not declare is an error, since Kuma cannot read it.
 * It names fields as the .proto does (load_balancer), where protobuf's JSON also takes lowerCamelCase; the router
 * writes one-word fields only.
 */
export function kumaTrafficRouteSpecCheck(): (spec: unknown) => string[] {
  const schema = JSON.parse(upstreamFile('kuma-TrafficRoute.proto-schema.json')) as Record<string, unknown>;
  // Draft 4, which ajv does not take; the schema uses nothing that differs from the draft ajv reads.
  delete schema.$schema;
  const validate = crdSchemaAjv().compile(closed(schema) as object);
  return spec => (validate(spec) ? [] : (validate.errors ?? []).map(describeSchemaError));
}

/** `schema` where every object that declares properties allows no other. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const node = Object.fromEntries(Object.entries(schema).map(([key, child]) => [key, closed(child)]));
  return 'properties' in node ? { ...node, additionalProperties: false } : node;
}

/** apiextensions.k8s.io/v1beta1 CRDs (App Mesh's legacy ones) may have one schema for every version. */
interface LegacyCrdSpec {
  validation?: { openAPIV3Schema?: unknown };
  preserveUnknownFields?: boolean;
}

/** Checks objects of the kinds of `crds` against the schema of the version they name. */
export function crdSchemaCheck(crds: readonly Crd[]): SchemaCheck {
  const ajv = crdSchemaAjv();
  const compiled = new Map<string, ValidateFunction>();
  return object => {
    const apiVersion = object.apiVersion ?? '';
    const kind = object.kind ?? '';
    const slash = apiVersion.lastIndexOf('/');
    const group = apiVersion.slice(0, Math.max(slash, 0));
    const crd = crds.find(candidate => candidate.spec.group === group && candidate.spec.names.kind === kind);
    if (crd === undefined) return [`no CRD for ${kind} in ${group}`];
    const version = crd.spec.versions.find(candidate => candidate.name === apiVersion.slice(slash + 1));
    if (version?.served !== true) return [`${apiVersion} ${kind} is not served`];
    const legacy = crd.spec as LegacyCrdSpec;
    const schema = version.schema?.openAPIV3Schema ?? legacy.validation?.openAPIV3Schema;
    if (schema === undefined) return [];
    const key = `${apiVersion}/${kind}`;
    const validate = compiled.get(key) ?? ajv.compile(asJsonSchema(schema) as object);
    compiled.set(key, validate);
    const errors = validate(object) ? [] : (validate.errors ?? []).map(describeSchemaError);
    // A v1beta1 CRD prunes only when it says so; v1 CRDs always do.
    const prunes = crd.apiVersion === 'apiextensions.k8s.io/v1' || legacy.preserveUnknownFields === false;
    // The server never prunes the root apiVersion, kind and metadata, declared or not.
    const fields: Partial<KubeObject> = { ...object };
    delete fields.apiVersion;
    delete fields.kind;
    const pruned = prunes ? prunedFields(fields, schema).map(path => `${path} would be pruned`) : [];
    return [...errors, ...pruned];
  };
}

/**
 * An OpenAPI 3.0 schema as the JSON Schema ajv reads: there exclusiveMinimum and exclusiveMaximum are numbers,
 * in OpenAPI 3.0 (Kubernetes) flags on minimum and maximum (Contour's CRD uses them).
 */
function asJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(asJsonSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const node = schema as Record<string, unknown>;
  const converted: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) {
    const flag = EXCLUSIVE_FLAGS[key];
    if (flag !== undefined && node[flag] === true) converted[flag] = child;
    else if (!(Object.values(EXCLUSIVE_FLAGS).includes(key) && typeof child === 'boolean')) {
      converted[key] = asJsonSchema(child);
    }
  }
  return converted;
}

/** The bounds that OpenAPI 3.0 makes exclusive with a flag, and their flag. */
const EXCLUSIVE_FLAGS: Record<string, string | undefined> = {
  minimum: 'exclusiveMinimum',
  maximum: 'exclusiveMaximum',
};
