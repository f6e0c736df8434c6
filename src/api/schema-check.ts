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

function kindSchemas(): Map<string, KindSchema> {
  if (!compiled) {
    // strict: false lets the x-kubernetes-* keywords through; formats are the API server's business.
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
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
  const name = String(kind);
  const entry = kindSchemas().get(name);
  if (entry === undefined) return { errors: [`no CRD for kind ${name}`], pruned: [] };
  if (apiVersion !== API_VERSION)
    return { errors: [`apiVersion ${String(apiVersion)} is not served`], pruned: [] };
  const errors = entry.validate(object) ? [] : (entry.validate.errors ?? []).map(describeError);
  return { errors, pruned: prunedFields(object, entry.schema) };
}

/** "spec.provider must be equal to one of the allowed values: apisix, appmesh, ..." */
function describeError(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)';
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  const suffix = allowed ? `: ${allowed.map(v => JSON.stringify(v)).join(', ')}` : '';
  return `${path} ${error.message ?? 'is invalid'}${suffix}`;
}
