import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeClient } from '../../src/kube/client.ts';
import { Informer } from '../../src/kube/informer.ts';
import type { ConfigMap } from '../../src/kube/types.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { TcpProxy } from '../harness/tcp-proxy.ts';

/** Records what an informer delivers as "add a=1", "update a=2", "delete b". */
function recordingInformer(
  client: KubeClient,
  namespace: string,
): { informer: Informer<ConfigMap>; log: string[] } {
  const log: string[] = [];
  const informer = new Informer<ConfigMap>(client, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace,
    logger: silentLogger(),
    initialBackoffMs: 100,
    maxBackoffMs: 500,
  });
  const describe = (cm: ConfigMap) => `${cm.metadata?.name ?? ''}=${cm.data?.v ?? ''}`;
  informer.addHandlers({
    onAdd: cm => log.push(`add ${describe(cm)}`),
    onUpdate: (_, cm) => log.push(`update ${describe(cm)}`),
    onDelete: cm => log.push(`delete ${cm.metadata?.name ?? ''}`),
  });
  return { informer, log };
}

const configMap = (namespace: string, name: string, v: string): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data: { v },
});

async function setValue(client: KubeClient, namespace: string, name: string, v: string): Promise<void> {
  await client.modify<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace }, cm => {
    cm.data = { v };
    return true;
  });
}

const cmRef = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace });

describe('informer on a real API server', () => {
  const cluster = useCluster({
    kubelet: false,
    controllerManager: false,
    // Watches of ConfigMaps go straight to etcd, which compacts old revisions every second: a watch resumed
    // from an old resourceVersion then gets 410 Gone, as it would after a long disconnection in production.
    apiServerArgs: ['--watch-cache-sizes=configmaps#0', '--etcd-compaction-interval=1s'],
  });

  it('delivers every change of an object in order', async () => {
    const namespace = await cluster.namespace();
    const { informer, log } = recordingInformer(cluster.client, namespace);
    informer.start();
    await informer.synced;
    await cluster.client.create(configMap(namespace, 'a', '0'));
    for (let i = 1; i <= 20; i++) await setValue(cluster.client, namespace, 'a', String(i));
    await cluster.client.delete(cmRef(namespace, 'a'));
    const expected = ['add a=0', ...Array.from({ length: 20 }, (_, i) => `update a=${i + 1}`), 'delete a'];
    await eventually(() => log.length >= expected.length, 'not every event arrived');
    informer.stop();
    assert.deepEqual(log, expected);
  });

  it('with metadataOnly, sees every change without holding the data or the managed fields', async () => {
    const namespace = await cluster.namespace();
    await cluster.client.create(configMap(namespace, 'a', 'secret-ish'));
    const informer = new Informer<ConfigMap>(cluster.client, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace,
      metadataOnly: true,
      logger: silentLogger(),
    });
    const versions: string[] = [];
    informer.addHandlers({ onUpdate: (_, cm) => versions.push(cm.metadata?.resourceVersion ?? '') });
    informer.start();
    await informer.synced;
    await setValue(cluster.client, namespace, 'a', 'changed');
    await eventually(() => versions.length === 1, 'the change was not seen');
    const cached = informer.list(namespace);
    informer.stop();
    assert.deepEqual(
      cached.map(cm => [cm.kind, cm.metadata?.name, cm.data, cm.metadata?.managedFields]),
      [['PartialObjectMetadata', 'a', undefined, undefined]],
    );
  });

  it('rides out an API server restart without losing or repeating updates', async () => {
    const namespace = await cluster.namespace();
    await cluster.client.create(configMap(namespace, 'a', '0'));
    const { informer, log } = recordingInformer(cluster.client, namespace);
    informer.start();
    await informer.synced;
    await cluster.plane.stopApiServer();
    await cluster.plane.startApiServer();
    await setValue(cluster.client, namespace, 'a', '1');
    await cluster.client.create(configMap(namespace, 'b', '0'));
    await eventually(() => log.length >= 3, 'changes after the restart were not delivered');
    // Give a duplicate the chance to show up before comparing.
    await new Promise(resolve => setTimeout(resolve, 1_000));
    informer.stop();
    assert.deepEqual(log, ['add a=0', 'update a=1', 'add b=0']);
    assert.ok(informer.stats.errors >= 1, 'the outage was not noticed');
  });

  it('relists after its watch expired (410 Gone) and delivers exactly the missed differences', async () => {
    const namespace = await cluster.namespace();
    for (const name of ['a', 'b', 'c']) await cluster.client.create(configMap(namespace, name, '0'));
    const proxy = await TcpProxy.start(cluster.plane.apiPort);
    const viaProxy = cluster.plane.client({ server: `https://127.0.0.1:${proxy.port}` });
    const { informer, log } = recordingInformer(viaProxy, namespace);
    try {
      informer.start();
      await informer.synced;
      const before = log.length;
      proxy.partition();
      await setValue(cluster.client, namespace, 'a', '1');
      await cluster.client.delete(cmRef(namespace, 'b'));
      await cluster.client.create(configMap(namespace, 'd', '0'));
      // Keep etcd's revision moving so that compaction passes the informer's last resourceVersion.
      for (let i = 1; i <= 3; i++) {
        await setValue(cluster.client, namespace, 'c', String(i));
        await new Promise(resolve => setTimeout(resolve, 1_200));
      }
      proxy.restore();
      await eventually(() => informer.stats.gone > 0 && log.length >= before + 4, 'informer did not relist');
      await new Promise(resolve => setTimeout(resolve, 1_000));
      assert.deepEqual(log.slice(before).sort(), ['add d=0', 'delete b', 'update a=1', 'update c=3']);
      assert.deepEqual(
        informer
          .list()
          .map(cm => cm.metadata?.name)
          .sort(),
        ['a', 'c', 'd'],
      );
    } finally {
      informer.stop();
      await proxy.stop();
    }
  });
});
