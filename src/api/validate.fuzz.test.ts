// Fuzz tests of what the controller and `flagger validate` do with hostile objects: real Canaries, MetricTemplates
// and AlertProviders (the spec's examples and the compatibility corpus) with fields deleted, replaced by values of
// any type, huge strings, deep nesting, or hostile names added (unicode, very long, dots, "../", NUL,
// "__proto__"). The schema check and the semantic validation never throw, always explain each problem with the
// field at fault, and give the same answer every time; a canary they accept has sane effective values. A failure
// prints the FC_SEED that replays it (test/harness/fast-check.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../../test/harness/fast-check.ts';
import { corpus, specExamples } from '../../test/harness/fixtures.ts';
import type { AlertProvider } from './alert-provider.ts';
import type { Canary } from './canary.ts';
import { buildCrds } from './crds.ts';
import {
  analysisIntervalMs,
  analysisIterations,
  analysisThreshold,
  canaryProvider,
  canaryReadyThreshold,
  maxWeight,
  metricInterval,
  MIN_ANALYSIS_INTERVAL_MS,
  primaryReadyThreshold,
  progressDeadlineSeconds,
  serviceNames,
  servicePortName,
  serviceTargetPort,
  sessionAffinityMaxAge,
  webhookRetries,
  webhookTimeoutMs,
} from './defaults.ts';
import { parseDuration } from './duration.ts';
import type { MetricTemplate } from './metric-template.ts';
import { PROVIDERS } from './providers.ts';
import { checkSchema } from './schema-check.ts';
import { validateAlertProvider, validateCanary, validateMetricTemplate, type Problem } from './validate.ts';

type Key = string | number;
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The seeds: every object of our kinds that the schema accepts as it is. */
const SEEDS = [...specExamples(), ...corpus()]
  .flatMap(file => file.objects)
  .filter(object => ['Canary', 'MetricTemplate', 'AlertProvider'].includes(String(object.kind)))
  .filter(object => checkSchema(object).errors.length === 0);

/** Every path in a value, the root ([]) first. */
function pathsOf(value: unknown, prefix: Key[] = []): Key[][] {
  const children: [Key, unknown][] = Array.isArray(value)
    ? value.map((item, index): [Key, unknown] => [index, item])
    : isObject(value)
      ? Object.entries(value)
      : [];
  return [prefix, ...children.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}

function nodeAt(root: unknown, path: readonly Key[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<Key, unknown> | undefined)?.[key], root);
}

/** Sets an own data property, as JSON.parse does, so that "__proto__" is a key like any other. */
function setKey(node: Json | unknown[], key: Key, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

const HOSTILE_NAMES = ['', '.', '..', '../', '../../etc/passwd', 'a.b', 'a/b', '~0~1', '\u0000', 'a\u0000b'];
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(...HOSTILE_NAMES, ...PROTOTYPE_NAMES, '\u202e', '😀', '\ud800', '{{ name }}', '-1s', '0s'),
  fc.constantFrom(
    '1m',
    '99999999999h',
    '1.5h',
    'http://',
    'http://x:99999',
    'ftp://x',
    'istio',
    'kubernetes',
  ),
  fc.integer({ min: 1_000, max: 100_000 }).map(length => 'x'.repeat(length)),
);

const key = fc.oneof(hostileString, fc.constantFrom(...PROTOTYPE_NAMES));

/** A value nested `depth` levels deep in arrays or objects. */
const deep = fc.tuple(fc.integer({ min: 50, max: 1_000 }), fc.boolean()).map(([depth, inArrays]) => {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++)
    value = inArrays ? [value] : { [PROTOTYPE_NAMES[level % 5] ?? 'a']: value };
  return value;
});

const leaf = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const anyValue = fc.oneof(
  { weight: 6, arbitrary: leaf },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(key, leaf, { maxKeys: 4 }) },
  { weight: 1, arbitrary: deep },
  {
    weight: 1,
    arbitrary: fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), {
      minLength: 500,
      maxLength: 3_000,
    }),
  },
);

/** `retype` replaces a number, string or boolean with another of its type (what the schema often lets by). */
interface Mutation {
  at: number;
  op: 'delete' | 'replace' | 'add' | 'retype';
  key: string;
  value: unknown;
  same: { number: number; string: string; boolean: boolean };
}

const mutation = (ops: readonly Mutation['op'][]): fc.Arbitrary<Mutation> =>
  fc.record({
    at: fc.nat(),
    op: fc.constantFrom(...ops),
    key,
    value: anyValue,
    same: fc.record({
      number: fc.oneof(fc.integer({ min: -10, max: 70_000 }), fc.double()),
      string: fc.oneof(hostileString, fc.constantFrom('10s', '1mx', '0m', '1h', '9999999999999h', '')),
      boolean: fc.boolean(),
    }),
  });

/** A mutated copy of a seed, and the paths that were changed (an array's path for a push or a removal). */
interface Mutant {
  object: unknown;
  changed: Key[][];
}

function mutate(seed: Json, mutations: readonly Mutation[]): Mutant {
  let object: unknown = structuredClone(seed);
  const changed: Key[][] = [];
  for (const { at, op, key: name, value: any, same } of mutations) {
    const paths = pathsOf(object);
    const path = paths[at % paths.length] ?? [];
    const parent = nodeAt(object, path.slice(0, -1));
    const last = path.at(-1);
    const node = nodeAt(object, path);
    const type = typeof node;
    const value =
      op === 'retype' && (type === 'number' || type === 'string' || type === 'boolean') ? same[type] : any;
    if (op === 'add' && (isObject(node) || Array.isArray(node))) {
      if (Array.isArray(node)) node.push(value);
      else setKey(node, name, value);
      changed.push(Array.isArray(node) ? path : [...path, name]);
    } else if (last === undefined || parent === null || typeof parent !== 'object') {
      object = value;
      changed.push([]);
    } else if (op === 'delete' && Array.isArray(parent)) {
      parent.splice(Number(last), 1);
      changed.push(path.slice(0, -1));
    } else {
      if (op === 'delete') Reflect.deleteProperty(parent, last);
      else setKey(parent as Json, last, value);
      changed.push(path);
    }
  }
  return { object, changed };
}

const mutantOf = (ops: readonly Mutation['op'][]) =>
  fc
    .tuple(fc.constantFrom(...SEEDS), fc.array(mutation(ops), { minLength: 1, maxLength: 3 }))
    .map(([seed, mutations]) => mutate(seed, mutations));
const mutant = mutantOf(['delete', 'replace', 'add', 'retype']);
/** Mostly objects the schema still accepts, for the semantic rules: values of the right type, or none. */
const plausibleMutant = fc.oneof(mutant, mutantOf(['delete', 'retype']));

/** Whether a field path (dotted as in the messages) is on the way to or inside a changed path. */
function related(field: string, changed: readonly Key[][]): boolean {
  return changed.some(path => {
    const dotted = path.join('.');
    return (
      field === '' ||
      dotted === '' ||
      dotted === field ||
      dotted.startsWith(`${field}.`) ||
      field.startsWith(`${dotted}.`)
    );
  });
}

/** The field a schema error names: "spec.analysis.interval must match ..." → spec.analysis.interval. */
function schemaErrorField(message: string): string {
  if (message.startsWith('no CRD for kind ')) return 'kind';
  if (message.startsWith('apiVersion ')) return 'apiVersion';
  const field = /^(.*?) must /su.exec(message)?.[1];
  assert.ok(field !== undefined && field !== '', `the error names no field: ${message}`);
  return field === '(root)' ? '' : field;
}

function semanticProblems(
  object: unknown,
  meshProvider: string | undefined,
  noCrossNamespaceRefs: boolean,
): Problem[] {
  switch ((object as { kind?: unknown }).kind) {
    case 'Canary':
      return validateCanary(object as Canary, { meshProvider, noCrossNamespaceRefs });
    case 'MetricTemplate':
      return validateMetricTemplate(object as MetricTemplate);
    default:
      return validateAlertProvider(object as AlertProvider);
  }
}

describe('schema check of mutated objects (fuzz)', () => {
  it(`has seeds (${SEEDS.length})`, () => assert.ok(SEEDS.length >= 10));

  it('never throws, names the changed field in every error, and gives the same answer every time', () => {
    fc.assert(
      fc.property(mutant, ({ object, changed }) => {
        const verdict = checkSchema(object);
        for (const error of verdict.errors) {
          const field = schemaErrorField(error);
          assert.ok(related(field, changed), `${error} (changed: ${JSON.stringify(changed)})`);
        }
        assert.deepEqual(checkSchema(object), verdict);
        assert.deepEqual(checkSchema(structuredClone(object)), verdict);
      }),
      { numRuns: 400 },
    );
  });

  it('reports every undeclared field as pruned, whatever its name', () => {
    const canaries = SEEDS.filter(seed => seed.kind === 'Canary');
    const where = fc.constantFrom(['spec'], ['spec', 'analysis'], ['spec', 'targetRef']);
    fc.assert(
      fc.property(fc.constantFrom(...canaries), where, key, fc.jsonValue(), (seed, path, name, value) => {
        fc.pre(!Object.hasOwn(declaredFields(path), name));
        const object = structuredClone(seed);
        setKey(nodeAt(object, path) as Json, name, value);
        assert.ok(checkSchema(object).pruned.includes(`${path.join('.')}.${name}`), name);
      }),
      { numRuns: 300 },
    );
  });
});

const CANARY_SCHEMA = buildCrds().find(crd => crd.spec.names.kind === 'Canary')?.spec.versions[0]?.schema
  .openAPIV3Schema;

/** The properties the Canary schema declares for the object at `path`. */
function declaredFields(path: readonly string[]): Json {
  let schema: unknown = CANARY_SCHEMA;
  for (const name of path)
    schema = isObject(schema) && isObject(schema.properties) ? schema.properties[name] : undefined;
  return isObject(schema) && isObject(schema.properties) ? schema.properties : {};
}

describe('semantic validation of objects the schema accepts (fuzz)', () => {
  const options = fc.record({
    meshProvider: fc.option(fc.constantFrom(...PROVIDERS, 'bogus', ''), { nil: undefined }),
    noCrossNamespaceRefs: fc.boolean(),
  });

  it('never throws; every problem names its field and says what is wrong; the same answer every time', () => {
    fc.assert(
      fc.property(plausibleMutant, options, ({ object }, { meshProvider, noCrossNamespaceRefs }) => {
        if (checkSchema(object).errors.length > 0) return;
        const problems = semanticProblems(object, meshProvider, noCrossNamespaceRefs);
        for (const { field, message } of problems) {
          assert.match(field, /^spec(\.[\w.[\]]+)?$/);
          assert.ok(message.startsWith(`${field} `) && message.length > field.length + 3, message);
          // The field is in the object, or its parent is, or the parent is itself reported as missing.
          const parent = field.replace(/(\.\w+|\[\d+\])$/, '');
          const parentPath = parent.split(/\.|\[(\d+)\]\.?/).filter(Boolean);
          const present = nodeAt(object, parentPath) !== undefined || problems.some(p => p.field === parent);
          assert.ok(present, `${field}: neither it nor its parent is in the object`);
        }
        assert.deepEqual(
          semanticProblems(structuredClone(object), meshProvider, noCrossNamespaceRefs),
          problems,
        );
        // Getters read a spec: the controller and the plan never call them for a canary without one.
        const { kind, spec } = object as Json;
        if (kind === 'Canary' && isObject(spec)) assertSaneDefaults(object as Canary, problems.length === 0);
      }),
      { numRuns: 600 },
    );
  });
});

/**
 * The default getters never throw on a canary the schema accepts (the plan reads them for any canary), and
 * when it is also valid, the effective values the controller runs with are in range.
 */
function assertSaneDefaults(canary: Canary, valid: boolean): void {
  const { spec } = canary;
  const { analysis } = spec;
  const expect = (ok: boolean, what: string) => {
    if (valid) assert.ok(ok, `${what} is out of range`);
  };
  const isIn = (value: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
    Number.isInteger(value) && value >= min && value <= max;
  const interval = analysisIntervalMs(analysis);
  expect(Number.isFinite(interval) && interval >= MIN_ANALYSIS_INTERVAL_MS, 'interval');
  expect(isIn(analysisThreshold(analysis), 1), 'threshold');
  expect(isIn(maxWeight(analysis), 1, 100), 'maxWeight');
  expect(isIn(progressDeadlineSeconds(spec), 1), 'progressDeadlineSeconds');
  expect(isIn(primaryReadyThreshold(analysis), 0, 100), 'primaryReadyThreshold');
  expect(isIn(canaryReadyThreshold(analysis), 0, 100), 'canaryReadyThreshold');
  expect(isIn(analysisIterations(analysis, canaryProvider(spec, 'istio')), 0), 'iterations');
  for (const webhook of analysis.webhooks ?? []) {
    const timeout = webhookTimeoutMs(webhook);
    expect(timeout > 0 && Number.isFinite(timeout), 'webhook timeout');
    expect(isIn(webhookRetries(webhook), 0), 'webhook retries');
  }
  for (const metric of analysis.metrics ?? []) {
    expect((parseDuration(metricInterval(metric)) ?? 0) > 0, 'metric interval');
  }
  if (analysis.sessionAffinity) expect(sessionAffinityMaxAge(analysis.sessionAffinity) > 0, 'maxAge');
  if (spec.service) {
    const port = serviceTargetPort(spec.service);
    expect(typeof port === 'string' || isIn(port, 1, 65_535), 'targetPort');
    expect(servicePortName(spec.service) !== '', 'portName');
  }
  expect(
    Object.values(serviceNames(spec)).every(name => typeof name === 'string'),
    'service names',
  );
}

describe('validation regressions found by the fuzz tests', () => {
  const canary = (): Json => structuredClone(SEEDS.find(seed => seed.kind === 'Canary') ?? {});

  it('reports a missing spec instead of throwing a TypeError', () => {
    for (const kind of ['Canary', 'MetricTemplate', 'AlertProvider']) {
      const object = { apiVersion: 'flagger.app/v1beta1', kind, metadata: { name: 'x' } };
      assert.deepEqual(checkSchema(object).errors, []);
      assert.deepEqual(semanticProblems(object, 'istio', false), [
        { field: 'spec', message: 'spec is required' },
      ]);
    }
  });

  it('checks cross-namespace references of a canary without metadata', () => {
    const object = canary();
    delete object.metadata;
    assert.doesNotThrow(() => semanticProblems(object, 'istio', true));
  });

  it('names a kind or apiVersion that cannot be printed', () => {
    assert.deepEqual(checkSchema({ ...canary(), kind: { toString: 1 } }).errors, [
      'no CRD for kind (an object)',
    ]);
    assert.deepEqual(checkSchema({ ...canary(), apiVersion: Object.create(null) as unknown }).errors, [
      'apiVersion (an object) is not served',
    ]);
  });

  it('reports fields named like Object.prototype members as pruned', () => {
    const object = canary();
    for (const name of ['constructor', '__proto__', 'toString']) setKey(object.spec as Json, name, {});
    assert.deepEqual(
      checkSchema(object).pruned.filter(path => path.startsWith('spec.') && !path.includes('.', 5)),
      ['spec.constructor', 'spec.__proto__', 'spec.toString'],
    );
  });

  it('names a key with "/" or "~" as written, not JSON-pointer escaped', () => {
    const object = canary();
    const analysis = (object.spec as Json).analysis as Json;
    analysis.webhooks = [{ name: 'a', url: 'http://x/', metadata: { 'a/b~c': 1 } }];
    assert.deepEqual(checkSchema(object).errors, ['spec.analysis.webhooks.0.metadata.a/b~c must be string']);
  });

  it('refuses a targetPort that is neither an integer nor a string, as the API server does', () => {
    const object = canary();
    ((object.spec as Json).service as Json).targetPort = [];
    assert.deepEqual(checkSchema(object).errors, ['spec.service.targetPort must be an integer or a string']);
  });

  it('refuses a metadata name that is not a string, as the API server does', () => {
    const object = { ...canary(), metadata: { name: { toString: 1 } } };
    assert.deepEqual(checkSchema(object).errors, ['metadata.name must be string']);
  });

  it('refuses integers too large for Flagger to decode (threshold 3e297)', () => {
    const object = canary() as unknown as Canary;
    object.spec.analysis.threshold = 3e297;
    assert.deepEqual(
      validateCanary(object, { noCrossNamespaceRefs: false }).map(p => p.field),
      ['spec.analysis.threshold'],
    );
  });
});
