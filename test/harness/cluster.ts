// Test helpers around the local control plane: one control plane per test file, one namespace per test.
import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../../src/kube/client.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { ControlPlane, type ControlPlaneOptions } from '../../src/playground/control-plane.ts';
import { FakeKubelet } from '../../src/playground/fake-kubelet.ts';
import { waitFor } from '../../src/playground/process.ts';

export interface TestCluster {
  plane: ControlPlane;
  client: KubeClient;
  kubelet?: FakeKubelet;
  /** Creates a namespace with a unique name starting with prefix. */
  namespace(prefix?: string): Promise<string>;
}

/** Starts a control plane (and a fake kubelet unless disabled) before the file's tests, stops it after. */
export function useCluster(options: ControlPlaneOptions & { kubelet?: boolean } = {}): TestCluster {
  const cluster = { namespace } as TestCluster;
  before(async () => {
    cluster.plane = await ControlPlane.start(options);
    cluster.client = cluster.plane.client();
    if (options.kubelet !== false) {
      cluster.kubelet = new FakeKubelet(cluster.plane.client({ fieldManager: 'fake-kubelet' }), {
        logger: silentLogger(),
      });
      await cluster.kubelet.start();
    }
  });
  after(async () => {
    cluster.kubelet?.stop();
    await cluster.plane.stop();
  });
  async function namespace(prefix = 'test'): Promise<string> {
    const name = `${prefix}-${randomBytes(3).toString('hex')}`;
    await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  }
  return cluster;
}

/** Polls until check returns true, failing the test with message after timeoutMs. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  message: string,
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(check, timeoutMs, message);
}
