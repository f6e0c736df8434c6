// Schema builders that emit only what a Kubernetes *structural* schema (apiextensions.k8s.io/v1) allows, so
// that every TypeBox schema in src/api can be served as a CRD to any API server from 1.20 on:
// every node has a `type` (the int-or-string marker is the one exception); `properties` and
// `additionalProperties` never meet in one node; oneOf/anyOf/not carry only value checks such as `required`;
// no `$ref`, no `const`, no empty-string `default`, no CEL. TypeBox's own Record, Union and Literal emit
// patternProperties / anyOf / const, so they are not used for CRD schemas: these helpers replace them.
import { Type, type Static, type TSchema, type TSchemaOptions, type TUnsafe } from 'typebox';

/** A string restricted to `values` (JSON Schema `enum`), typed as their union. */
export function StringEnum<const T extends string>(
  values: readonly T[],
  options: TSchemaOptions = {},
): TUnsafe<T> {
  return Type.Unsafe<T>({ ...options, type: 'string', enum: [...values] });
}

/** Kubernetes IntOrString (e.g. a Service targetPort): a number or a string. */
export function IntOrString(options: TSchemaOptions = {}): TUnsafe<number | string> {
  return Type.Unsafe<number | string>({ ...options, 'x-kubernetes-int-or-string': true });
}

/** An object with arbitrary keys whose values all match `value` (Go map[string]T). */
export function MapOf<T extends TSchema>(
  value: T,
  options: TSchemaOptions = {},
): TUnsafe<Record<string, Static<T>>> {
  return Type.Unsafe<Record<string, Static<T>>>({ ...options, type: 'object', additionalProperties: value });
}

/** Go map[string]string, e.g. labels, annotations, webhook metadata. */
export function StringMap(options: TSchemaOptions = {}): TUnsafe<Record<string, string>> {
  return MapOf(Type.String(), options);
}

/** Go []string. */
export function StringList(options: TSchemaOptions = {}) {
  return Type.Array(Type.String(), options);
}

/** Go int32 (format int32, which the API server range-checks). */
export function Int32(options: TSchemaOptions = {}) {
  return Type.Integer({ ...options, format: 'int32' });
}

/**
 * Flagger's duration pattern is `^[0-9]+(m|s)`: it only checks that the value starts like "<digits>m" or
 * "<digits>s", so "1m30s" (and "1mx") pass, and the full Go-duration check is in validate.ts. Extension: we also
 * accept hours ("1h"), which Flagger's code parses but its CRD refuses; every value Flagger accepts still passes.
 */
export const FLAGGER_DURATION_PATTERN = '^[0-9]+(m|s|h)';

/** A Go duration string as Flagger's CRD declares it (analysis interval, metric interval, webhook timeout). */
export function Duration(options: TSchemaOptions = {}) {
  return Type.String({ ...options, pattern: FLAGGER_DURATION_PATTERN });
}

/** `oneOf` alternatives that each only list required fields: "exactly one of these field sets is present". */
export function oneOfRequired(...alternatives: readonly (readonly string[])[]): {
  oneOf: { required: string[] }[];
} {
  return { oneOf: alternatives.map(fields => ({ required: [...fields] })) };
}

/** `anyOf` alternatives that each only list required fields: "at least one of these field sets is present". */
export function anyOfRequired(...alternatives: readonly (readonly string[])[]): {
  anyOf: { required: string[] }[];
} {
  return { anyOf: alternatives.map(fields => ({ required: [...fields] })) };
}
