import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateYaml } from './validate.ts';

const options = { meshProvider: 'istio', noCrossNamespaceRefs: false };
const canary = (extra: string) => `
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: podinfo}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service: {port: 9898}
  analysis: {interval: 1m, threshold: 5, ${extra}}
`;

describe('flagger validate', () => {
  it('accepts a valid canary and ignores other kinds', () => {
    const text = `${canary('stepWeight: 10')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n`;
    assert.deepEqual(validateYaml(text, options), []);
  });

  it('reports schema errors with the field and the allowed values', () => {
    const [finding] = validateYaml(canary('stepWeight: 10, mirror: maybe'), options);
    assert.deepEqual(finding, {
      object: 'Canary/podinfo',
      level: 'error',
      message: 'spec.analysis.mirror must be boolean',
    });
  });

  it('reports fields the API server would drop as warnings', () => {
    const findings = validateYaml(canary('stepWeight: 10, stepSize: 3'), options);
    assert.deepEqual(findings, [
      {
        object: 'Canary/podinfo',
        level: 'warning',
        message: 'spec.analysis.stepSize: unknown field, dropped by the API server',
      },
    ]);
  });

  it('reports semantic problems once the schema passes', () => {
    const findings = validateYaml(canary('stepWeights: [20, 10]'), options);
    assert.equal(findings.length, 1);
    assert.match(findings[0]?.message ?? '', /^spec\.analysis\.stepWeights\[1\]/);
  });

  it('reports YAML syntax errors', () => {
    const [finding] = validateYaml('kind: Canary\n  bad: [indent', options);
    assert.equal(finding?.level, 'error');
    assert.equal(finding.object, '(yaml)');
  });
});
