// Fuzz tests of the two commands that read users' YAML files, `flagger validate FILE` and `flagger plan -f FILE`:
// real objects (the spec's examples and the compatibility corpus) as YAML, with hostile YAML spliced in (anchors
// and alias bombs, tags, tabs, odd scalars, objects where strings go) or cut out. A file gives findings or a
// CliError, never a crash; every canary `plan -f` accepts is planned and printed. A failure prints the FC_SEED
// that replays it (test/harness/fast-check.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../../test/harness/fast-check.ts';
import { stringify } from 'yaml';
import { corpus, specExamples } from '../../test/harness/fixtures.ts';
import { validateCanary } from '../api/validate.ts';
import { CliError } from './commands/common.ts';
import { canariesIn, renderPlan } from './commands/plan.ts';
import { palette } from './commands/table.ts';
import { computePlan } from './commands/timeline.ts';
import { validateYaml } from './validate.ts';

const SEEDS = [...specExamples(), ...corpus()].map(file =>
  file.objects.map(object => stringify(object)).join('---\n'),
);

const ALIAS_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
].join('\n');

/** YAML that is odd, hostile, or a value of the wrong shape. */
const SNIPPETS = [
  '&a ',
  '*a',
  '<<: *a\n',
  '!!binary ',
  '!!js/function ',
  '!!set ',
  ': ',
  '- ',
  '\t',
  '\n---\n',
  '\n...\n',
  '{',
  '[',
  '"',
  "'",
  '? ',
  '|\n',
  '~',
  '.nan',
  '.inf',
  '-.inf',
  '1e400',
  '0x1F',
  '\u0000',
  '😀',
  '{toString: 1}',
  '{name: {toString: 1}}',
  '[1, 2]',
  'null',
  '\nkind: Canary\n',
  '\nmetadata: {name: {toString: 1}}\n',
  `\n${ALIAS_BOMB}\n`,
];

/** Text cut and inserted at a position; or, with `value`, the rest of the line after the nth ": " replaced. */
interface Edit {
  at: number;
  cut: number;
  insert: string;
  value: boolean;
}

const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  cut: fc.nat({ max: 40 }),
  insert: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 6 })),
  value: fc.boolean(),
});

function apply(text: string, { at, cut, insert, value }: Edit): string {
  const values = [...text.matchAll(/: /g)].map(match => match.index + 2);
  if (value && values.length > 0) {
    const start = values[at % values.length] ?? 0;
    const end = text.indexOf('\n', start);
    return text.slice(0, start) + insert + (end === -1 ? '' : text.slice(end));
  }
  const position = at % (text.length + 1);
  return text.slice(0, position) + insert + text.slice(position + cut);
}

const yamlText = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...SEEDS), fc.array(edit, { minLength: 1, maxLength: 4 }))
      .map(([seed, edits]) => edits.reduce(apply, seed)),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
);

describe('flagger validate on hostile YAML (fuzz)', () => {
  it('gives findings, each naming an object and saying what is wrong, and never throws', () => {
    fc.assert(
      fc.property(yamlText, fc.boolean(), (text, noCrossNamespaceRefs) => {
        for (const finding of validateYaml(text, { meshProvider: 'istio', noCrossNamespaceRefs })) {
          assert.ok(finding.object !== '' && finding.message !== '', JSON.stringify(finding));
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('flagger plan -f on hostile YAML (fuzz)', () => {
  it('plans and prints every canary it accepts, and refuses the rest with a CliError', () => {
    fc.assert(
      fc.property(yamlText, text => {
        let canaries;
        try {
          canaries = canariesIn(text, 'fuzz.yaml');
        } catch (err) {
          assert.ok(err instanceof CliError, String(err));
          assert.match(err.message, /^fuzz\.yaml/);
          return;
        }
        for (const canary of canaries) {
          const plan = computePlan(canary, { meshProvider: 'istio' });
          assert.ok(renderPlan(plan, { colors: palette(false), width: 120 }).length > 0);
          validateCanary(canary, { meshProvider: 'istio', noCrossNamespaceRefs: true });
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('YAML regressions found by the fuzz tests', () => {
  it('reports an alias bomb as a finding of validate and a CliError of plan', () => {
    const [finding] = validateYaml(`kind: Canary\n${ALIAS_BOMB}\n`, {
      meshProvider: 'istio',
      noCrossNamespaceRefs: false,
    });
    assert.equal(finding?.object, '(yaml)');
    assert.match(finding.message, /alias/i);
    assert.throws(() => canariesIn(`kind: Canary\n${ALIAS_BOMB}\n`, 'bomb.yaml'), CliError);
  });

  it('refuses in plan -f a canary the schema refuses, instead of throwing a TypeError', () => {
    const text = [
      'apiVersion: flagger.app/v1beta1',
      'kind: Canary',
      'metadata: {name: podinfo}',
      'spec:',
      '  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}',
      '  analysis: {interval: 1m, stepWeight: 10, webhooks: 5}',
    ].join('\n');
    assert.throws(
      () => canariesIn(text, 'f.yaml'),
      /f\.yaml: Canary podinfo is invalid: spec\.analysis\.webhooks must be array/,
    );
  });

  it('names an object whose name is not a string', () => {
    const text = 'apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: {name: {toString: 1}}\n';
    const findings = validateYaml(text, { meshProvider: 'istio', noCrossNamespaceRefs: false });
    assert.ok(findings.every(f => f.object === 'Canary/(unnamed)'));
  });
});
