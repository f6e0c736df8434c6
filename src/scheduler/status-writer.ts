// Writes to the Canary object: status changes through the status subresource and changes to its own metadata
// (finalizers, our annotations), each applied to a fresh read and retried on conflicts. Both hand back the
// stored Canary, so the tick always continues from what the API server holds.
import type { Canary } from '../api/canary.ts';
import { API_VERSION } from '../api/crds.ts';
import type { KubeClient } from '../kube/client.ts';
import type { ObjectRef } from '../kube/types.ts';
import type { MetadataChange, StatusChange } from './status.ts';
import { kubeNow } from '../util/time.ts';

export class StatusWriter {
  private readonly kube: KubeClient;
  private readonly now: () => string;

  constructor(kube: KubeClient, now: () => string = kubeNow) {
    this.kube = kube;
    this.now = now;
  }

  async apply(canary: Canary, ...changes: StatusChange[]): Promise<Canary> {
    return this.kube.modify<Canary>(
      canaryRef(canary),
      fresh => {
        const now = this.now();
        for (const change of changes) fresh.status = change(fresh, now);
        return true;
      },
      { status: true },
    );
  }

  /** Applies a metadata change; a change with nothing to do writes nothing. */
  async modifyMetadata(canary: Canary, change: MetadataChange): Promise<Canary> {
    return this.kube.modify<Canary>(canaryRef(canary), fresh => change.apply(fresh.metadata));
  }
}

/** What the scheduler writes through: the StatusWriter, or the dry-run layer that only logs. */
export type CanaryWriter = Pick<StatusWriter, 'apply' | 'modifyMetadata'>;

function canaryRef(canary: Canary): ObjectRef {
  return {
    apiVersion: API_VERSION,
    kind: 'Canary',
    name: canary.metadata.name ?? '',
    namespace: canary.metadata.namespace,
  };
}
