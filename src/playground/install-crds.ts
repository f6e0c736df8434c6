// Installs our CRDs on a cluster and waits until the API server serves them.
import { buildCrds } from '../api/crds.ts';
import type { KubeClient } from '../kube/client.ts';
import type { CustomResourceDefinition, KubeObject } from '../kube/types.ts';
import { waitFor } from './process.ts';

/** Applies CRD manifests (server-side apply) and waits for each to be Established. */
export async function installCrds(
  client: KubeClient,
  crds: readonly KubeObject[] = buildCrds(),
): Promise<void> {
  for (const crd of crds) await client.apply(crd, { force: true });
  for (const crd of crds) {
    const ref = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: crd.metadata?.name ?? '',
    };
    await waitFor(
      async () => {
        const current = await client.get<CustomResourceDefinition>(ref);
        return (
          current.status?.conditions?.some(c => c.type === 'Established' && c.status === 'True') === true
        );
      },
      30_000,
      `CRD ${ref.name} was not established`,
    );
  }
}
