import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flaggerCrds } from '../../test/harness/fixtures.ts';
import {
  CRD_UPGRADE_COMMAND,
  droppedFields,
  droppedFieldsProblem,
  droppedSpecFields,
  LAST_APPLIED_ANNOTATION,
  undeclaredFields,
  undeclaredFieldsWarning,
} from './crd-drift.ts';
import { buildCrds } from './crds.ts';

const str = { type: 'string' };
const obj = (properties: Record<string, unknown>) => ({ type: 'object', properties });
const list = (items: unknown) => ({ type: 'array', items });

// A miniature of the Canary schema: ours with two extensions, the served one without them.
const OURS = obj({
  metadata: obj({ name: str, extra: str }),
  spec: obj({
    analysis: obj({
      interval: str,
      delay: str,
      metrics: list(obj({ name: str, compare: obj({ better: str }) })),
    }),
  }),
});
const SERVED = obj({
  metadata: obj({ name: str }),
  spec: obj({ analysis: obj({ interval: str, metrics: list(obj({ name: str })) }) }),
});

describe('undeclaredFields', () => {
  const cases: [string, unknown, unknown, string[]][] = [
    ['the same schema', OURS, OURS, []],
    [
      'the topmost missing field of each branch',
      OURS,
      SERVED,
      ['spec.analysis.delay', 'spec.analysis.metrics[].compare'],
    ],
    ['a whole missing block', obj({ status: obj({ phase: str }) }), obj({}), ['status']],
    [
      'a field the served CRD keeps as an unknown field',
      obj({ spec: obj({ delay: str }) }),
      obj({ spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }),
      [],
    ],
    [
      'a field the served map values lack',
      obj({ labels: { type: 'object', additionalProperties: obj({ a: str, b: str }) } }),
      obj({ labels: { type: 'object', additionalProperties: obj({ a: str }) } }),
      ['labels.*.b'],
    ],
    [
      'a map the served CRD does not declare as one',
      obj({ labels: { type: 'object', additionalProperties: str } }),
      obj({ labels: { type: 'object' } }),
      ['labels.*'],
    ],
    [
      'a field served through additionalProperties',
      obj({ a: str }),
      { type: 'object', additionalProperties: str },
      [],
    ],
    ['the root metadata (the API server keeps it)', obj({ metadata: obj({ x: str }) }), obj({}), []],
  ];
  for (const [name, ours, served, expected] of cases) {
    it(name, () => assert.deepEqual(undeclaredFields(ours, served), expected));
  }

  it("finds exactly our extensions in Flagger 1.44's CRDs", () => {
    const served = new Map(
      flaggerCrds().map(crd => {
        const { metadata, spec } = crd as {
          metadata: { name: string };
          spec: { versions: { schema: unknown }[] };
        };
        const schema = spec.versions[0]?.schema as { openAPIV3Schema: unknown };
        return [metadata.name, schema.openAPIV3Schema];
      }),
    );
    const missing = Object.fromEntries(
      buildCrds().map(crd => [
        crd.metadata.name,
        undeclaredFields(crd.spec.versions[0]?.schema.openAPIV3Schema, served.get(crd.metadata.name)),
      ]),
    );
    assert.deepEqual(missing, {
      'canaries.flagger.app': [
        'spec.analysis.delay',
        'spec.analysis.metrics[].compare',
        'spec.analysis.webhooks[].secretRef',
        'status.analysisStartTime',
        'status.conditions[].observedGeneration',
        'status.metricChecks',
      ],
      'metrictemplates.flagger.app': [],
      'alertproviders.flagger.app': ['spec.messageTemplate'],
    });
  });
});

describe('droppedFields', () => {
  const applied = {
    spec: { analysis: { interval: '1m', delay: '5m', metrics: [{ name: 'a' }, { name: 'b', compare: {} }] } },
  };
  const pruned = { spec: { analysis: { interval: '1m', metrics: [{ name: 'a' }, { name: 'b' }] } } };
  const cases: [string, unknown, unknown, unknown, string[]][] = [
    [
      'applied, dropped by the served CRD',
      applied,
      pruned,
      SERVED,
      ['spec.analysis.delay', 'spec.analysis.metrics[1].compare'],
    ],
    ['stored all the same (CRD upgraded, object applied again)', applied, applied, SERVED, []],
    ['served by a CRD that declares them', applied, pruned, OURS, []],
    [
      'a field our CRD drops too (an author mistake)',
      { spec: { analysis: { delai: '5m' } } },
      { spec: { analysis: {} } },
      SERVED,
      [],
    ],
    ['nothing applied', undefined, pruned, SERVED, []],
    ['a list applied where a map is stored', { spec: { analysis: [] } }, pruned, SERVED, []],
    ['the root metadata', { metadata: { extra: 'x' } }, { metadata: {} }, SERVED, []],
  ];
  for (const [name, given, stored, served, expected] of cases) {
    it(name, () => assert.deepEqual(droppedFields(given, stored, OURS, served), expected));
  }
});

describe('droppedSpecFields', () => {
  const spec = { analysis: { interval: '1m' } };
  const withAnnotation = (text: string | undefined) => {
    const annotations: Record<string, string> = text === undefined ? {} : { [LAST_APPLIED_ANNOTATION]: text };
    return { metadata: { annotations }, spec };
  };
  const cases: [string, string | undefined, string[]][] = [
    [
      'applied with kubectl, dropped',
      JSON.stringify({ spec: { analysis: { interval: '1m', delay: '5m' } } }),
      ['spec.analysis.delay'],
    ],
    ['applied without the extension', JSON.stringify({ spec }), []],
    ['not applied with kubectl', undefined, []],
    ['an unreadable annotation', '{"spec":', []],
    ['an annotation that is not an object', '"spec"', []],
  ];
  for (const [name, annotation, expected] of cases) {
    it(name, () => assert.deepEqual(droppedSpecFields(withAnnotation(annotation), OURS, SERVED), expected));
  }
});

describe('messages', () => {
  it('the start-up warning names the CRD, the fields and the upgrade command', () =>
    assert.equal(
      undeclaredFieldsWarning('canaries.flagger.app', ['spec.analysis.delay', 'status.metricChecks']),
      'CRD canaries.flagger.app lacks fields this controller uses: spec.analysis.delay, status.metricChecks. ' +
        'The API server drops them, so the features that use them do nothing. Upgrade the CRDs (helm upgrade ' +
        `does not): ${CRD_UPGRADE_COMMAND}`,
    ));

  const cases: [string[], string][] = [
    [
      ['spec.analysis.delay'],
      "spec.analysis.delay: dropped by the API server, whose Canary CRD lacks it (an older CRD, e.g. Flagger's: " +
        `helm upgrade does not upgrade CRDs). Upgrade the CRDs with ${CRD_UPGRADE_COMMAND}, then apply the canary again`,
    ],
    [
      ['spec.analysis.delay', 'spec.analysis.metrics[0].compare'],
      'spec.analysis.delay, spec.analysis.metrics[0].compare: dropped by the API server, whose Canary CRD lacks ' +
        "them (an older CRD, e.g. Flagger's: helm upgrade does not upgrade CRDs). Upgrade the CRDs with " +
        `${CRD_UPGRADE_COMMAND}, then apply the canary again`,
    ],
  ];
  for (const [fields, message] of cases) {
    it(`the problem of ${fields.length} dropped field(s) starts with the first`, () =>
      assert.deepEqual(droppedFieldsProblem('Canary', fields), { field: fields[0], message }));
  }
});
