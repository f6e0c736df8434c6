// Gate states in a ConfigMap, one data key per gate ("podinfo.test": "true"), so that every replica of the load
// tester sees the same gates and they survive any restart. Reads go to the API server each time (a check is
// made once per analysis interval); writes are read-modify-write with conflict retries.
import type { KubeClient } from '../kube/client.ts';
import { isAlreadyExists, isConflict } from '../kube/errors.ts';
import type { ConfigMap } from '../kube/types.ts';
import type { GateStore } from './gate-store.ts';

const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;
const ATTEMPTS = 5;

export class ConfigMapGateStore implements GateStore {
  readonly description: string;
  private readonly kube: KubeClient;
  private readonly namespace: string;
  private readonly name: string;

  constructor(kube: KubeClient, namespace: string, name: string) {
    this.kube = kube;
    this.namespace = namespace;
    this.name = name;
    this.description = `configmap ${namespace}/${name}`;
  }

  private get ref() {
    return { apiVersion: 'v1', kind: 'ConfigMap', namespace: this.namespace, name: this.name };
  }

  async get(key: string): Promise<boolean | undefined> {
    const configMap = await this.kube.tryGet<ConfigMap>(this.ref);
    const value = configMap?.data?.[key];
    return value === undefined ? undefined : value === 'true';
  }

  async set(key: string, open: boolean): Promise<void> {
    if (!CONFIGMAP_KEY.test(key))
      throw new Error(`gate ${JSON.stringify(key)} cannot be stored: not a valid ConfigMap key`);
    const value = String(open);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.write(key, value);
        return;
      } catch (err) {
        // Another replica created the ConfigMap or changed it first: read it again.
        if (!(isConflict(err) || isAlreadyExists(err)) || attempt >= ATTEMPTS) throw err;
      }
    }
  }

  private async write(key: string, value: string): Promise<void> {
    const current = await this.kube.tryGet<ConfigMap>(this.ref);
    if (!current) {
      await this.kube.create<ConfigMap>({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: this.name, namespace: this.namespace, labels: { app: 'flagger-loadtester' } },
        data: { [key]: value },
      });
      return;
    }
    if (current.data?.[key] === value) return;
    await this.kube.update<ConfigMap>({ ...current, data: { ...current.data, [key]: value } });
  }
}
