import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discoverPorts, selectorLabel, type Container } from './metadata.ts';

const labels = ['app', 'name', 'app.kubernetes.io/name'];

describe('selectorLabel', () => {
  const workload = (matchLabels: Record<string, string>) => ({
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: { selector: { matchLabels } },
  });

  it('takes the first -selector-labels key present, in flag order', () => {
    assert.deepEqual(
      selectorLabel(workload({ 'app.kubernetes.io/name': 'x', name: 'y' }), labels, 'deployment'),
      {
        labelKey: 'name',
        labelValue: 'y',
      },
    );
  });

  it("fails with Flagger's message naming the labels tried", () => {
    assert.throws(() => selectorLabel(workload({ tier: 'web' }), labels, 'daemonset'), {
      message:
        'getSelectorLabel failed: daemonset podinfo.test spec.selector.matchLabels must contain one of [app name app.kubernetes.io/name]',
    });
  });
});

describe('discoverPorts', () => {
  const containers: Container[] = [
    {
      name: 'app',
      ports: [
        { name: 'http', containerPort: 9898 },
        { name: 'grpc', containerPort: 9999 },
        { containerPort: 8080 },
      ],
    },
    { name: 'istio-proxy', ports: [{ name: 'http-envoy-prom', containerPort: 15090 }] },
    { name: 'envoy', ports: [{ containerPort: 9901 }] },
    { name: 'sidecar', ports: [{ containerPort: 7070 }] },
  ];

  it('skips the service port and mesh proxies and names unnamed ports tcp-<container>-<index>', () => {
    assert.deepEqual(discoverPorts({ port: 9898 }, containers), [
      { name: 'grpc', port: 9999 },
      { name: 'tcp-app-2', port: 8080 },
      { name: 'tcp-sidecar-0', port: 7070 },
    ]);
  });

  it('skips the targetPort instead of the port when one is set, by number or by name', () => {
    assert.deepEqual(
      discoverPorts({ port: 80, targetPort: 9999 }, containers).map(p => p.port),
      [9898, 8080, 7070],
    );
    assert.deepEqual(
      discoverPorts({ port: 80, targetPort: 'http' }, containers).map(p => p.port),
      [9999, 8080, 7070],
    );
  });
});
