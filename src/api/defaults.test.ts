import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanaryAnalysis } from './canary.ts';
import {
  alertChannel,
  alertSeverity,
  alertUsername,
  analysisIntervalMs,
  analysisIterations,
  analysisThreshold,
  canaryProvider,
  canaryReadyThreshold,
  deploymentStrategy,
  gatewayParentRef,
  maxWeight,
  metricInterval,
  mirrorBackendRef,
  mirroringEnabled,
  primaryReadyThreshold,
  progressDeadlineSeconds,
  rewriteType,
  serviceNames,
  servicePortName,
  serviceTargetPort,
  sessionAffinityMaxAge,
  skipAnalysis,
  webhookRetries,
  webhookTimeoutMs,
  webhookType,
} from './defaults.ts';

/** Runs `getter` on each input and compares with the expected output. */
function table<I, O>(name: string, getter: (input: I) => O, rows: [I, O][]): void {
  describe(name, () => {
    for (const [input, expected] of rows) {
      it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () =>
        assert.deepEqual(getter(input), expected));
    }
  });
}

const analysis = (fields: Partial<CanaryAnalysis>): CanaryAnalysis => ({
  interval: '1m',
  threshold: 5,
  ...fields,
});
const target = { apiVersion: 'apps/v1', kind: 'Deployment' as const, name: 'podinfo' };

table('analysisIntervalMs', analysisIntervalMs, [
  [undefined, 60_000],
  [{ interval: '' }, 60_000],
  [{ interval: '1m' }, 60_000],
  [{ interval: '15s' }, 15_000],
  [{ interval: '1m30s' }, 90_000],
  [{ interval: '5s' }, 10_000],
  [{ interval: '1mx' }, 60_000],
]);

table('analysisThreshold', analysisThreshold, [
  [{ threshold: 5 }, 5],
  [{ threshold: 0 }, 1],
  [{ threshold: -2 }, 1],
]);

table('maxWeight', maxWeight, [
  [{}, 100],
  [{ maxWeight: 50 }, 50],
  [{ maxWeight: 0 }, 100],
  [{ stepWeights: [10, 20, 60] }, 60],
  [{ stepWeights: [10, 120] }, 100],
  [{ stepWeights: [10, 40], maxWeight: 80 }, 40],
  [{ stepWeights: [], maxWeight: 30 }, 30],
]);

table('progressDeadlineSeconds', progressDeadlineSeconds, [
  [{}, 600],
  [{ progressDeadlineSeconds: 60 }, 60],
  [{ progressDeadlineSeconds: 0 }, 0],
]);

table('primaryReadyThreshold', primaryReadyThreshold, [
  [undefined, 100],
  [{}, 100],
  [{ primaryReadyThreshold: 50 }, 50],
]);

table('canaryReadyThreshold', canaryReadyThreshold, [
  [undefined, 100],
  [{}, 100],
  [{ canaryReadyThreshold: 0 }, 0],
]);

// Quirk Q10 fixed: template metrics get the 1m default too.
table('metricInterval', metricInterval, [
  [{}, '1m'],
  [{ interval: '' }, '1m'],
  [{ interval: '30s' }, '30s'],
]);

table('webhookTimeoutMs', webhookTimeoutMs, [
  [{}, 10_000],
  [{ timeout: '' }, 10_000],
  [{ timeout: '5' }, 10_000],
  [{ timeout: '30s' }, 30_000],
  [{ timeout: '2m' }, 120_000],
  [{ timeout: '3x' }, 10_000],
]);

table('webhookRetries', webhookRetries, [
  [{}, 0],
  [{ retries: 3 }, 3],
]);

table('webhookType', webhookType, [
  [{}, 'rollout'],
  [{ type: '' }, 'rollout'],
  [{ type: 'pre-rollout' }, 'pre-rollout'],
]);

// Quirk Q7 fixed: no severity means info.
table('alertSeverity', alertSeverity, [
  [{}, 'info'],
  [{ severity: '' }, 'info'],
  [{ severity: 'warn' }, 'warn'],
  [{ severity: 'error' }, 'error'],
]);

table('alertChannel', alertChannel, [
  [{}, 'general'],
  [{ channel: '' }, 'general'],
  [{ channel: 'on-call' }, 'on-call'],
]);

table('alertUsername', alertUsername, [
  [{}, 'flagger'],
  [{ username: 'bot' }, 'bot'],
]);

table('serviceNames', serviceNames, [
  [{ targetRef: target }, { apex: 'podinfo', primary: 'podinfo-primary', canary: 'podinfo-canary' }],
  [
    { targetRef: target, service: { port: 80, name: '' } },
    { apex: 'podinfo', primary: 'podinfo-primary', canary: 'podinfo-canary' },
  ],
  [
    { targetRef: target, service: { port: 80, name: 'web' } },
    { apex: 'web', primary: 'web-primary', canary: 'web-canary' },
  ],
]);

table('servicePortName', servicePortName, [
  [{}, 'http'],
  [{ portName: 'grpc' }, 'grpc'],
]);

table('serviceTargetPort', serviceTargetPort, [
  [{ port: 80 }, 80],
  [{ port: 80, targetPort: 0 }, 80],
  [{ port: 80, targetPort: '' }, 80],
  [{ port: 80, targetPort: 9898 }, 9898],
  [{ port: 80, targetPort: 'http' }, 'http'],
]);

table('rewriteType', rewriteType, [
  [{}, 'ReplaceFullPath'],
  [{ type: 'ReplacePrefixMatch' }, 'ReplacePrefixMatch'],
  [{ type: 'other' }, 'ReplaceFullPath'],
]);

table('gatewayParentRef', gatewayParentRef, [
  [{ name: 'gw' }, { name: 'gw', group: 'gateway.networking.k8s.io', kind: 'Gateway' }],
  [
    { name: 'podinfo', group: 'core', kind: 'Service', port: 80 },
    { name: 'podinfo', group: 'core', kind: 'Service', port: 80 },
  ],
]);

table('mirrorBackendRef', mirrorBackendRef, [
  [{ backendRef: { name: 'shadow', port: 80 } }, { name: 'shadow', port: 80, group: '', kind: 'Service' }],
  [
    { backendRef: { name: 'b', group: 'example.com', kind: 'Backend' } },
    { name: 'b', group: 'example.com', kind: 'Backend' },
  ],
]);

table('sessionAffinityMaxAge', sessionAffinityMaxAge, [
  [{}, 86_400],
  [{ maxAge: 0 }, 86_400],
  [{ maxAge: 600 }, 600],
]);

table('skipAnalysis', skipAnalysis, [
  [{ analysis: analysis({ stepWeight: 5 }) }, false],
  [{ analysis: analysis({ stepWeight: 5 }), skipAnalysis: true }, true],
  [{}, true],
]);

describe('canaryProvider', () => {
  it('prefers spec.provider', () =>
    assert.equal(canaryProvider({ provider: 'linkerd' }, 'istio'), 'linkerd'));
  it('falls back to -mesh-provider', () => assert.equal(canaryProvider({}, 'istio'), 'istio'));
});

describe('deploymentStrategy, analysisIterations, mirroringEnabled', () => {
  const match = [{ headers: { 'x-canary': { exact: 'insider' } } }];
  const rows: [string, Partial<CanaryAnalysis>, string, string, number, boolean][] = [
    // name, analysis, provider → strategy, iterations, mirroring
    ['stepWeight', { stepWeight: 10 }, 'istio', 'canary', 0, false],
    ['stepWeights', { stepWeights: [10, 50] }, 'istio', 'canary', 0, false],
    ['canary with mirror', { stepWeight: 10, mirror: true }, 'istio', 'canary', 0, true],
    ['match with iterations', { iterations: 10, match }, 'istio', 'ab-testing', 10, false],
    ['A/B ignores mirror', { iterations: 10, match, mirror: true }, 'istio', 'ab-testing', 10, false],
    ['match without iterations', { stepWeight: 10, match }, 'istio', 'canary', 0, false],
    ['iterations', { iterations: 5 }, 'istio', 'blue-green', 5, false],
    ['blue/green mirroring', { iterations: 5, mirror: true }, 'gatewayapi:v1', 'blue-green', 5, true],
    ['kubernetes forces blue/green', { stepWeight: 10 }, 'kubernetes', 'blue-green', 10, false],
    ['kubernetes ignores match', { iterations: 3, match }, 'kubernetes', 'blue-green', 3, false],
    ['kubernetes ignores mirror', { iterations: 3, mirror: true }, 'kubernetes', 'blue-green', 3, false],
  ];
  for (const [name, fields, provider, strategy, iterations, mirroring] of rows) {
    it(`${name} (${provider})`, () => {
      const subject = analysis(fields);
      assert.equal(deploymentStrategy(subject, provider), strategy);
      assert.equal(analysisIterations(subject, provider), iterations);
      assert.equal(mirroringEnabled(subject, provider), mirroring);
    });
  }
});
