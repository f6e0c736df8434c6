// Applies status changes to a fresh read of the Canary through the status subresource, retrying conflicts, and
// hands back the stored Canary, so the tick always continues from what the API server holds.
import type { Canary } from '../api/canary.ts';
import { API_VERSION } from '../api/crds.ts';
import type { KubeClient } from '../kube/client.ts';
import type { StatusChange } from './status.ts';
import { kubeNow } from '../util/time.ts';

export class StatusWriter {
  private readonly kube: KubeClient;
  private readonly now: () => string;

  constructor(kube: KubeClient, now: () => string = kubeNow) {
    this.kube = kube;
    this.now = now;
  }

  async apply(canary: Canary, ...changes: StatusChange[]): Promise<Canary> {
    const ref = {
      apiVersion: API_VERSION,
      kind: 'Canary',
      name: canary.metadata.name ?? '',
      namespace: canary.metadata.namespace,
    };
    return this.kube.modify<Canary>(
      ref,
      fresh => {
        const now = this.now();
        for (const change of changes) fresh.status = change(fresh, now);
        return true;
      },
      { status: true },
    );
  }
}
