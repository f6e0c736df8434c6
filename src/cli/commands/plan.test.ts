import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { capture } from './captured-io.ts';
import { runLint } from './lint.ts';
import { canariesIn, renderDiff, runPlan, runsText, summaryLines } from './plan.ts';
import { computePlan, diffPlans } from './timeline.ts';

const yaml = (analysis: string, name = 'podinfo') => `
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: ${name}, namespace: test}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service: {port: 9898}
  analysis: {interval: 1m, threshold: 5, ${analysis}}
`;

const dir = mkdtempSync(join(tmpdir(), 'flagger-plan-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('flagger plan -f (offline)', () => {
  it('prints the timeline, the times and the remarks', async () => {
    const c = capture();
    const code = await runPlan(['-f', file('linear.yaml', yaml('stepWeight: 20, maxWeight: 60'))], c.io);
    assert.equal(code, 0, c.err());
    const lines = c.out().split('\n');
    assert.equal(
      lines[0],
      'Canary podinfo.test: canary, stepWeight 20, maxWeight 60, on istio, every 1m, threshold 5',
    );
    assert.equal(lines[2], 'TICK    AT   PHASE         PRIMARY/CANARY   RUNS   THEN');
    assert.equal(
      lines[4],
      '   1   +1m   Progressing   80/20            -      Advance podinfo.test canary weight 20',
    );
    assert.ok(
      lines.includes(
        'Minimum time to promote: 6m after the new revision is detected (3 steps; analysis 3m; primary updated at +4m; Succeeded at +6m).',
      ),
    );
    assert.ok(
      lines.some(l =>
        l.startsWith('Maximum time to roll back: 5m of failing checks (interval 1m × threshold 5)'),
      ),
    );
    assert.ok(lines.includes('Remarks:'));
  });

  it('-o json gives the plan', async () => {
    const c = capture();
    await runPlan(['-f', file('weights.yaml', yaml('stepWeights: [10, 30, 60]')), '-o', 'json'], c.io);
    const plan = JSON.parse(c.out()) as { weights: number[]; steps: number; succeededAtMs: number };
    assert.deepEqual(plan.weights, [10, 30, 60]);
    assert.equal(plan.steps, 3);
    assert.equal(plan.succeededAtMs, 360_000);
  });

  it('plans every canary of a file, and warns about an invalid one', async () => {
    const c = capture();
    const text = `${yaml('iterations: 3', 'a')}---\n${yaml('stepWeights: [20, 10]', 'b')}`;
    assert.equal(await runPlan(['-f', file('two.yaml', text), '-o', 'yaml'], c.io), 0);
    assert.match(c.out(), /canary: a\.test/);
    assert.match(c.out(), /canary: b\.test/);
    assert.match(c.err(), /^warning: b\.test: spec\.analysis\.stepWeights\[1\]/);
  });

  it('says what is wrong with the invocation or the file', async () => {
    const none = capture();
    assert.equal(await runPlan([], none.io), 2);
    assert.match(none.err(), /^error: NAME or -f FILE is missing\nusage: flagger plan/);
    const missing = capture();
    assert.equal(await runPlan(['-f', join(dir, 'nope.yaml')], missing.io), 1);
    assert.match(missing.err(), /^error: cannot read .*nope\.yaml/);
    const empty = capture();
    assert.equal(
      await runPlan(['-f', file('cm.yaml', 'kind: ConfigMap\nmetadata: {name: x}\n')], empty.io),
      1,
    );
    assert.match(empty.err(), /has no Canary/);
    assert.throws(
      () => canariesIn('kind: Canary\nmetadata: {name: x}\n', 'x.yaml'),
      /has no spec\.targetRef or spec\.analysis/,
    );
  });
});

describe('plan text', () => {
  const canary = (analysis: object) => canariesIn(yaml(JSON.stringify(analysis).slice(1, -1)), 'f')[0]!;

  it('lists what runs in a tick', () => {
    const plan = computePlan(
      canary({
        stepWeight: 50,
        metrics: [{ name: 'request-success-rate' }],
        webhooks: [{ name: 'load', url: 'http://x/' }],
      }),
      { meshProvider: 'istio' },
    );
    assert.equal(runsText(plan.ticks[2]!), 'rollout(load) + metrics(request-success-rate)');
    assert.equal(runsText(plan.ticks[0]!), '-');
  });

  it('a plan that never promotes says so', () => {
    const plan = computePlan(canary({ stepWeight: 0 }), { meshProvider: 'istio' });
    assert.equal(summaryLines(plan)[0], 'Promotion: never reached (see the remarks).');
  });

  it('a diff names the steps added and removed and the change in time', () => {
    const before = computePlan(canary({ stepWeight: 20, maxWeight: 60 }), { meshProvider: 'istio' });
    const after = computePlan(canary({ stepWeights: [10, 30, 60] }), { meshProvider: 'istio' });
    assert.deepEqual(renderDiff('podinfo.test', 'new.yaml', diffPlans(before, after)), [
      'Plan of podinfo.test: cluster → new.yaml',
      '  stepWeight: 20 → -',
      '  stepWeights: - → 10, 30, 60',
      '  steps: 20%, 40%, 60% → 10%, 30%, 60%',
      '  steps added: 10%, 30%',
      '  steps removed: 20%, 40%',
      '  minimum time to promote: 6m → 6m (no change)',
      '  maximum time to roll back: 5m → 5m (no change)',
    ]);
  });
});

describe('flagger lint', () => {
  it('checks files with the validate code and exits 1 on errors', async () => {
    const good = file('good.yaml', yaml('stepWeight: 10'));
    const bad = file('bad.yaml', yaml('stepWeights: [20, 10], stepSize: 3', 'bad'));
    const c = capture();
    assert.equal(await runLint(['-f', good, '-f', bad], c.io), 1);
    const lines = c.out().trim().split('\n');
    assert.equal(lines[0], `${good}: ok`);
    assert.equal(
      lines[1],
      `${bad}: Canary/bad: warning: spec.analysis.stepSize: unknown field, dropped by the API server`,
    );
    assert.match(
      lines[2] ?? '',
      new RegExp(`^${bad}: Canary/bad: error: spec\\.analysis\\.stepWeights\\[1\\]`),
    );
    assert.equal(lines[3], '1 error, 1 warning in 2 files');
    const ok = capture();
    assert.equal(await runLint(['-f', good], ok.io), 0);
  });

  it('-o json, unreadable files and a missing -f', async () => {
    const c = capture();
    assert.equal(await runLint(['-f', join(dir, 'absent.yaml'), '-o', 'json'], c.io), 1);
    assert.deepEqual(JSON.parse(c.out()), {
      ok: false,
      files: [{ file: join(dir, 'absent.yaml'), error: 'cannot read the file: no such file', findings: [] }],
    });
    const none = capture();
    assert.equal(await runLint([], none.io), 2);
    assert.match(none.err(), /no file to check: pass -f FILE/);
  });
});
