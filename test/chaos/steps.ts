// What the chaos tests share: podinfo and its Canary brought to Initialized before the faults begin, and what an
// undisturbed release leaves behind, checked after a disturbed one: each step's event recorded once (a repeated
// step would bump its count), no step skipped, and the primary running the new image.
import assert from 'node:assert/strict';
import type { CanaryAnalysis } from '../../src/api/canary.ts';
import type { CoreEvent, Deployment } from '../../src/kube/types.ts';
import { eventually, type TestCluster } from '../harness/cluster.ts';
import { getCanary } from '../harness/controller.ts';
import { podinfoCanary, podinfoDeployment } from '../harness/workloads.ts';

/** Creates podinfo 6.0.0 and its Canary in the namespace and waits until the canary is Initialized. */
export async function initializedPodinfo(
  cluster: TestCluster,
  namespace: string,
  analysis: Partial<CanaryAnalysis>,
): Promise<void> {
  await cluster.client.create(podinfoDeployment(namespace, 'podinfo:6.0.0'));
  await cluster.client.create(podinfoCanary(namespace, analysis));
  await eventually(
    async () => (await getCanary(cluster, namespace)).status?.phase === 'Initialized',
    'not initialized',
    90_000,
  );
}

export async function assertEveryStepOnce(
  cluster: TestCluster,
  namespace: string,
  weights: number[],
  image: string,
): Promise<void> {
  const events = await cluster.client.list<CoreEvent>('v1', 'Event', { namespace });
  const advances = events.items
    .filter(e => e.involvedObject.kind === 'Canary' && /canary weight \d+$/.test(e.message ?? ''))
    .map(e => [Number(/(\d+)$/.exec(e.message ?? '')?.[1]), e.count ?? 1] as const)
    .sort(([a], [b]) => a - b);
  assert.deepEqual(
    advances,
    weights.map(w => [w, 1]),
    `each step once: ${JSON.stringify(advances)}`,
  );
  const primary = await cluster.client.get<Deployment>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'podinfo-primary',
    namespace,
  });
  assert.equal(primary.spec?.template.spec?.containers[0]?.image, image);
}
