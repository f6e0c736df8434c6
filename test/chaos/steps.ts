// What an undisturbed release leaves behind, checked after a disturbed one: each step's event recorded once (a
// repeated step would bump its count), no step skipped, and the primary running the new image.
import assert from 'node:assert/strict';
import type { CoreEvent, Deployment } from '../../src/kube/types.ts';
import type { TestCluster } from '../harness/cluster.ts';

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
