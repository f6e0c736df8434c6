import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonSet, Deployment } from '../../src/kube/types.ts';
import { eventually, useCluster } from '../harness/cluster.ts';

const podTemplate = (app: string) => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: app, image: 'ghcr.io/stefanprodan/podinfo:6.0.0' }] },
});

describe('local control plane with the fake kubelet', () => {
  const cluster = useCluster();

  it('serves Kubernetes v1.20.2', async () => {
    const version = await cluster.client.serverVersion();
    assert.equal(version.gitVersion.startsWith('v1.20.2'), true, version.gitVersion);
  });

  it('rolls a Deployment out to Available through the real deployment controller', async () => {
    const namespace = await cluster.namespace();
    await cluster.client.create<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'podinfo', namespace },
      spec: { replicas: 2, selector: { matchLabels: { app: 'podinfo' } }, template: podTemplate('podinfo') },
    });
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace };
    await eventually(async () => {
      const d = await cluster.client.get<Deployment>(ref);
      const available = d.status?.conditions?.find(c => c.type === 'Available')?.status === 'True';
      return available && d.status?.readyReplicas === 2 && d.status.updatedReplicas === 2;
    }, 'deployment did not become available');
  });

  it('runs a DaemonSet pod on the fake node', async () => {
    const namespace = await cluster.namespace();
    await cluster.client.create<DaemonSet>({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: podTemplate('agent') },
    });
    const ref = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', namespace };
    await eventually(async () => {
      const ds = await cluster.client.get<DaemonSet>(ref);
      return ds.status?.desiredNumberScheduled === 1 && ds.status.numberReady === 1;
    }, 'daemonset pod did not become ready');
  });
});
