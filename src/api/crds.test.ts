import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import type { Canary } from './canary.ts';
import { buildCrds, crdsFile, generatedCrdFiles } from './crds.ts';
import { checkSchema } from './schema-check.ts';
import { structuralViolations } from './schema-audit.ts';
import { validateCanary } from './validate.ts';
import { corpus, specExamples } from '../../test/harness/fixtures.ts';

const ROOT = new URL('../../', import.meta.url);

const crds = buildCrds();
const check = checkSchema;
// Read here, not in a describe(): a missing ../shared/compat then fails the file even without the strict
// reporter (node:test exits 0 for a throwing describe body).
const compatibilityCorpus = corpus();

/** Only for objects that `check` accepted, whose shape is then the Canary type's. */
function isCanary(object: unknown): object is Canary {
  return (object as { kind?: unknown }).kind === 'Canary';
}

describe('CRDs', () => {
  for (const [path, text] of Object.entries(generatedCrdFiles())) {
    it(`${path} is the generator output`, () => {
      assert.equal(readFileSync(new URL(path, ROOT), 'utf8'), text, `${path} is stale: run npm run gen:crds`);
    });
  }

  it('is deterministic', () => assert.equal(crdsFile(), crdsFile()));

  for (const crd of crds) {
    describe(crd.metadata.name, () => {
      it('has structural schemas', () => {
        for (const version of crd.spec.versions) {
          assert.deepEqual(structuralViolations(version.schema.openAPIV3Schema), []);
        }
      });

      it('is flagger.app/v1beta1, namespaced, in category all, kept by Helm', () => {
        assert.equal(crd.spec.group, 'flagger.app');
        assert.equal(crd.spec.scope, 'Namespaced');
        assert.deepEqual(crd.spec.names.categories, ['all']);
        assert.equal(crd.metadata.annotations['helm.sh/resource-policy'], 'keep');
        assert.deepEqual(
          crd.spec.versions.map(({ name, served, storage, subresources }) => ({
            name,
            served,
            storage,
            subresources,
          })),
          [{ name: 'v1beta1', served: true, storage: true, subresources: { status: {} } }],
        );
      });
    });
  }

  it('names the kinds as Flagger does', () => {
    const names = (kind: string, plural: string) => ({
      kind,
      listKind: `${kind}List`,
      plural,
      singular: kind.toLowerCase(),
      categories: ['all'],
    });
    assert.deepEqual(
      crds.map(crd => crd.metadata.name),
      ['canaries.flagger.app', 'metrictemplates.flagger.app', 'alertproviders.flagger.app'],
    );
    assert.deepEqual(
      crds.map(crd => crd.spec.names),
      [
        names('Canary', 'canaries'),
        names('MetricTemplate', 'metrictemplates'),
        names('AlertProvider', 'alertproviders'),
      ],
    );
  });

  it('has Flagger printer columns', () => {
    const columns = crds.map(crd =>
      crd.spec.versions[0]?.additionalPrinterColumns
        .map(c => `${c.name}${c.priority === 1 ? '(p1)' : ''}`)
        .join(' '),
    );
    assert.deepEqual(columns, [
      'Status Weight Suspended(p1) FailedChecks(p1) Interval(p1) Mirror(p1) StepWeight(p1) StepWeights(p1) MaxWeight(p1) LastTransitionTime',
      'Provider',
      'Type',
    ]);
  });
});

describe('compatibility corpus (../shared/compat)', () => {
  for (const { file, objects, expect, extension } of compatibilityCorpus) {
    if (expect === 'reject') {
      it(`rejects ${file}, as Flagger's CRD does`, () => {
        for (const object of objects) assert.notDeepEqual(check(object).errors, []);
      });
      continue;
    }
    const why = extension ? `, which Flagger's CRD rejects (${extension})` : '';
    it(`accepts ${file} without pruning${why}`, () => {
      for (const object of objects) {
        assert.deepEqual(check(object), { errors: [], pruned: [] });
        // Canaries that Flagger runs must pass our semantic rules too (-mesh-provider defaults to istio).
        if (isCanary(object)) {
          assert.deepEqual(
            validateCanary(object, { noCrossNamespaceRefs: false, meshProvider: 'istio' }),
            [],
          );
        }
      }
    });
  }
});

describe('spec examples (test/fixtures/spec-examples)', () => {
  // Every example is accepted and loses no field, unless its header says the field is not a Flagger one.
  for (const { file, objects, header } of specExamples()) {
    it(`accepts ${file}`, (t: TestContext) => {
      for (const object of objects) {
        const { errors, pruned } = check(object);
        assert.deepEqual(errors, [], 'rejected by the schema');
        const unexplained = pruned.filter(
          path => !header.some(line => line.includes(path.split('.').at(-1) ?? path)),
        );
        assert.deepEqual(unexplained, [], 'fields our CRD would prune');
        if (pruned.length > 0) t.diagnostic(`not a Flagger field, pruned: ${pruned.join(', ')}`);
      }
    });
  }
});
