// What an API server serving our CRDs would do with an object, decided locally: the same schemas, compiled with
// ajv. Used by `flagger validate` and the tests, so that both agree with the CRDs byte for byte.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { API_VERSION, buildCrds } from './crds.ts';
import { prunedFields } from './schema-audit.ts';

export interface SchemaVerdict {
  /** Why the API server would refuse the object (empty: it would store it). */
  errors: string[];
  /** Fields the API server would silently drop. */
  pruned: string[];
}

interface KindSchema {
  schema: unknown;
  validate: ValidateFunction;
}

let compiled: Map<string, KindSchema> | undefined;

/** An ajv for CRD schemas (structural OpenAPI v3, as served by an API server). */
export function crdSchemaAjv(): Ajv {
  // strict: false lets the x-kubernetes-* keywords through; formats are the API server's business.
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  // ajv knows nothing of this keyword and would accept anything; the API server takes an integer or a string.
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    validate: (on: boolean, data: unknown) => !on || typeof data === 'string' || Number.isInteger(data),
    error: { message: 'must be an integer or a string' },
  });
  return ajv;
}

function kindSchemas(): Map<string, KindSchema> {
  if (!compiled) {
    const ajv = crdSchemaAjv();
    compiled = new Map(
      buildCrds().map(crd => {
        const schema = crd.spec.versions[0]?.schema.openAPIV3Schema ?? {};
        return [crd.spec.names.kind, { schema, validate: ajv.compile(schema) }];
      }),
    );
  }
  return compiled;
}

/** Checks an object of one of our kinds against its CRD schema. */
export function checkSchema(object: unknown): SchemaVerdict {
  const { apiVersion, kind } = (object ?? {}) as { apiVersion?: unknown; kind?: unknown };
  const entry = typeof kind === 'string' ? kindSchemas().get(kind) : undefined;
  if (entry === undefined) return { errors: [`no CRD for kind ${shown(kind)}`], pruned: [] };
  if (apiVersion !== API_VERSION)
    return { errors: [`apiVersion ${shown(apiVersion)} is not served`], pruned: [] };
  const errors = entry.validate(object) ? [] : (entry.validate.errors ?? []).map(describeSchemaError);
  return {
    errors: [...errors, ...metadataErrors(object as object)],
    pruned: prunedFields(object, entry.schema),
  };
}

/** What the API server checks in metadata itself (a CRD cannot declare it): the name and namespace are strings. */
function metadataErrors(object: object): string[] {
  const { metadata } = object as { metadata?: unknown };
  if (typeof metadata !== 'object' || metadata === null) return [];
  const fields = metadata as Record<string, unknown>;
  return ['name', 'namespace']
    .filter(key => fields[key] !== undefined && typeof fields[key] !== 'string')
    .map(key => `metadata.${key} must be string`);
}

/** A value in a message. String() throws on an object without a usable toString, e.g. YAML's {toString: 1}. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return '(an array)';
  return typeof value === 'object' && value !== null ? '(an object)' : String(value);
}

/** "spec.provider must be equal to one of the allowed values: apisix, appmesh, ..." */
export function describeSchemaError(error: ErrorObject): string {
  // instancePath is a JSON pointer: "/" and "~" in a key (e.g. of webhook metadata) are escaped as ~1 and ~0.
  const keys = error.instancePath.split('/').slice(1);
  const path = keys.map(key => key.replaceAll('~1', '/').replaceAll('~0', '~')).join('.') || '(root)';
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  const suffix = allowed ? `: ${allowed.map(v => JSON.stringify(v)).join(', ')}` : '';
  return `${path} ${error.message ?? 'is invalid'}${suffix}`;
}
