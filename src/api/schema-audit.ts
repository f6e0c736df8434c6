// Checks on plain JSON schemas as served in a CRD: is the schema structural (so any API server from 1.20 on
// accepts it), and which fields of an object would the API server prune with it.

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Keywords an apiextensions.k8s.io/v1 schema may not use at all, or that we keep out for Kubernetes 1.20.
const FORBIDDEN_KEYWORDS = [
  '$ref',
  '$schema',
  '$id',
  '$defs',
  'definitions',
  'dependencies',
  'patternProperties',
  'additionalItems',
  'const',
  'x-kubernetes-validations', // CEL, not served before 1.25
];

// Inside oneOf/anyOf/allOf/not only value checks are allowed; these would declare structure or metadata.
const FORBIDDEN_IN_JUNCTORS = ['type', 'description', 'default', 'additionalProperties', 'nullable'];

const JUNCTORS = ['oneOf', 'anyOf', 'allOf'];

/** Every rule of Kubernetes structural schemas that `schema` breaks, each prefixed by its JSON path. */
export function structuralViolations(schema: unknown, path = ''): string[] {
  if (!isObject(schema)) return [`${path}: not a schema object`];
  const problems = keywordViolations(schema, path);
  if (schema.type === undefined && schema['x-kubernetes-int-or-string'] !== true) {
    problems.push(`${path}: no type`);
  }
  if (schema.properties !== undefined && schema.additionalProperties !== undefined) {
    problems.push(`${path}: properties and additionalProperties together`);
  }
  for (const [name, child] of Object.entries(asObject(schema.properties))) {
    problems.push(...structuralViolations(child, `${path}.properties.${name}`));
  }
  if (isObject(schema.additionalProperties)) {
    problems.push(...structuralViolations(schema.additionalProperties, `${path}.additionalProperties`));
  }
  if (schema.items !== undefined) problems.push(...structuralViolations(schema.items, `${path}.items`));
  problems.push(...junctorViolations(schema, schema, path));
  return problems;
}

function keywordViolations(schema: Json, path: string): string[] {
  const problems = FORBIDDEN_KEYWORDS.filter(keyword => keyword in schema).map(
    keyword => `${path}: uses ${keyword}`,
  );
  if (schema.default === '') problems.push(`${path}: empty-string default (rejected by Kubernetes 1.20)`);
  if (schema.uniqueItems === true) problems.push(`${path}: uniqueItems`);
  return problems;
}

/** Checks the oneOf/anyOf/allOf/not of `node` against `outer`, the structural node they constrain. */
function junctorViolations(node: Json, outer: Json | undefined, path: string): string[] {
  const branches: [string, unknown][] = JUNCTORS.flatMap(junctor =>
    asArray(node[junctor]).map((branch, index): [string, unknown] => [
      `${path}.${junctor}[${index}]`,
      branch,
    ]),
  );
  if (node.not !== undefined) branches.push([`${path}.not`, node.not]);
  return branches.flatMap(([branchPath, branch]) => junctorBranchViolations(branch, outer, branchPath));
}

function junctorBranchViolations(branch: unknown, outer: Json | undefined, path: string): string[] {
  if (!isObject(branch)) return [`${path}: not a schema object`];
  const problems = [
    ...keywordViolations(branch, path),
    ...FORBIDDEN_IN_JUNCTORS.filter(keyword => keyword in branch).map(
      keyword => `${path}: ${keyword} in a junctor`,
    ),
  ];
  const outerProperties = asObject(outer?.properties);
  for (const [name, child] of Object.entries(asObject(branch.properties))) {
    const declared = outerProperties[name];
    if (isObject(declared))
      problems.push(...junctorBranchViolations(child, declared, `${path}.properties.${name}`));
    else problems.push(`${path}: property ${name} is not declared outside the junctor`);
  }
  if (branch.items !== undefined) {
    const outerItems = isObject(outer?.items) ? outer.items : undefined;
    problems.push(...junctorBranchViolations(branch.items, outerItems, `${path}.items`));
  }
  problems.push(...junctorViolations(branch, outer, path));
  return problems;
}

/**
 * The paths of every field in `value` that the API server would drop because `schema` does not declare it
 * (pruning). The root `metadata` is exempt: the API server handles object metadata itself.
 */
export function prunedFields(value: unknown, schema: unknown, path = ''): string[] {
  if (!isObject(schema) || schema['x-kubernetes-preserve-unknown-fields'] === true) return [];
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => prunedFields(item, schema.items, `${path}[${index}]`));
  }
  if (!isObject(value) || schema.type !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (path === '' && key === 'metadata') return [];
    const childSchema = fieldSchema(schema, key);
    return childSchema === undefined ? [childPath] : prunedFields(child, childSchema, childPath);
  });
}

/**
 * The schema of the field `key` of an object that `schema` describes: its declared property, else the
 * additionalProperties schema; undefined when the API server would drop the field.
 */
export function fieldSchema(schema: Json, key: string): unknown {
  const { properties, additionalProperties } = schema;
  // hasOwn: a key such as "constructor" or "__proto__" must not find the prototype's member.
  if (isObject(properties) && Object.hasOwn(properties, key)) return properties[key];
  return isObject(additionalProperties) ? additionalProperties : undefined;
}

function asObject(value: unknown): Json {
  return isObject(value) ? value : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
