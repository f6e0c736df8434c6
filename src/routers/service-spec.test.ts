import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary, CanaryService } from '../api/canary.ts';
import type { Service } from '../kube/types.ts';
import type { TargetMetadata } from '../targets/types.ts';
import { desiredService, updateService, type DesiredService } from './service-spec.ts';

const FLUX = {
  'kustomize.toolkit.fluxcd.io/reconcile': 'disabled',
  'helm.toolkit.fluxcd.io/driftDetection': 'disabled',
};
const metadata: TargetMetadata = { labelKey: 'app', labelValue: 'podinfo', ports: [] };

function canary(service: Partial<CanaryService> = {}): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, ...service },
      analysis: { interval: '1m', stepWeight: 10 },
    },
  };
}

/** An existing Service as the API server returns it for `desired`. */
function existing(desired: DesiredService, extra: Partial<Service> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: desired.name, labels: { ...desired.labels }, annotations: { ...desired.annotations } },
    spec: { ...structuredClone(desired.spec), clusterIP: '10.0.0.1' },
    ...extra,
  };
}

describe('desiredService', () => {
  it('makes the canary, primary and apex Services as Flagger names and selects them', () => {
    const c = canary();
    const canarySvc = desiredService(c, 'canary', 'podinfo', metadata);
    assert.equal(canarySvc.name, 'podinfo-canary');
    assert.deepEqual(canarySvc.spec, {
      type: 'ClusterIP',
      selector: { app: 'podinfo' },
      ports: [{ name: 'http', protocol: 'TCP', port: 9898, targetPort: 9898 }],
    });
    assert.deepEqual(canarySvc.labels, { app: 'podinfo-canary' });
    assert.deepEqual(canarySvc.annotations, FLUX);
    assert.equal(desiredService(c, 'primary', 'podinfo-primary', metadata).name, 'podinfo-primary');
    assert.equal(desiredService(c, 'apex', 'podinfo-primary', metadata).name, 'podinfo');
  });

  it('uses service.name for the apex and the port name, target port and app protocol', () => {
    const c = canary({ name: 'frontend', portName: 'grpc', targetPort: 'grpc-port', appProtocol: 'grpc' });
    const apex = desiredService(c, 'apex', 'podinfo-primary', metadata);
    assert.equal(apex.name, 'frontend');
    assert.deepEqual(apex.labels, { app: 'frontend' });
    assert.deepEqual(apex.spec.ports, [
      { name: 'grpc', protocol: 'TCP', port: 9898, targetPort: 'grpc-port', appProtocol: 'grpc' },
    ]);
    const numbered = desiredService(canary({ targetPort: 8080 }), 'apex', 'x', metadata);
    assert.equal(numbered.spec.ports?.[0]?.targetPort, 8080);
  });

  it('adds the discovered ports, headless and traffic distribution', () => {
    const c = canary({ headless: true, trafficDistribution: 'PreferClose', portDiscovery: true });
    const withPorts = { ...metadata, ports: [{ name: 'tcp-podinfo-1', port: 9797 }] };
    const svc = desiredService(c, 'primary', 'podinfo-primary', withPorts);
    assert.equal(svc.spec.clusterIP, 'None');
    assert.equal(svc.spec.trafficDistribution, 'PreferClose');
    assert.deepEqual(svc.spec.ports?.[1], {
      name: 'tcp-podinfo-1',
      protocol: 'TCP',
      port: 9797,
      targetPort: 9797,
    });
  });

  it("puts the role's labels and annotations, keeping the selector label", () => {
    const c = canary({
      canary: { labels: { tier: 'canary', app: 'ignored' }, annotations: { note: 'x' } },
      primary: { labels: { tier: 'primary' } },
    });
    const svc = desiredService(c, 'canary', 'podinfo', metadata);
    assert.deepEqual(svc.labels, { tier: 'canary', app: 'podinfo-canary' });
    assert.deepEqual(svc.annotations, { note: 'x', ...FLUX });
    assert.deepEqual(desiredService(c, 'primary', 'podinfo-primary', metadata).labels, {
      tier: 'primary',
      app: 'podinfo-primary',
    });
  });
});

describe('updateService', () => {
  const c = canary();
  const desired = desiredService(c, 'apex', 'podinfo-primary', metadata);

  it('leaves an up-to-date Service alone', () => {
    assert.equal(updateService(existing(desired), desired, { owned: true, unmanaged: undefined }), false);
  });

  it('takes over the ports and selector of a Service it does not own, keeping node ports', () => {
    const current = existing(desired, {
      metadata: { name: 'podinfo', labels: { team: 'a' }, annotations: { owner: 'me' } },
      spec: {
        type: 'NodePort',
        selector: { app: 'podinfo' },
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 9898, nodePort: 30080 }],
      },
    });
    assert.equal(updateService(current, desired, { owned: false, unmanaged: undefined }), true);
    assert.equal(current.spec?.type, 'NodePort');
    assert.deepEqual(current.spec.selector, { app: 'podinfo-primary' });
    assert.deepEqual(current.spec.ports, [
      { name: 'http', protocol: 'TCP', port: 9898, targetPort: 9898, nodePort: 30080 },
    ]);
    assert.deepEqual(current.metadata?.labels, { team: 'a' });
    assert.deepEqual(current.metadata.annotations, { owner: 'me', ...FLUX });
  });

  it('does not touch the metadata of a Service it does not own when the spec matches', () => {
    const current = existing(desired, { metadata: { name: 'podinfo', labels: { team: 'a' } } });
    assert.equal(updateService(current, desired, { owned: false, unmanaged: undefined }), false);
  });

  it('replaces the metadata of an owned Service but keeps the unmanaged keys', () => {
    const current = existing(desired);
    current.metadata = {
      name: 'podinfo',
      labels: { app: 'podinfo', extra: 'drop', kept: 'yes' },
      annotations: { 'sidecar/injected': 'true', stale: 'drop' },
    };
    const unmanaged = { labels: ['kept'], annotations: ['sidecar/injected', 'absent'] };
    assert.equal(updateService(current, desired, { owned: true, unmanaged }), true);
    assert.deepEqual(current.metadata.labels, { app: 'podinfo', kept: 'yes' });
    assert.deepEqual(current.metadata.annotations, { 'sidecar/injected': 'true', ...FLUX });
  });

  it('compares ports regardless of order and of zero-valued fields', () => {
    const two = desiredService(c, 'apex', 'podinfo-primary', {
      ...metadata,
      ports: [{ name: 'admin', port: 80 }],
    });
    const current = existing(two);
    current.spec!.ports = [...current.spec!.ports!].reverse().map(p => ({ ...p, nodePort: 0 }));
    assert.equal(updateService(current, two, { owned: true, unmanaged: undefined }), false);
  });
});
