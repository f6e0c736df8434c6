// The start-up check of the installed flagger.app CRDs. helm upgrade never upgrades a chart's CRDs, so a cluster
// moved from Flagger to this controller may still serve Flagger's: the API server then drops the fields of our
// extensions when it stores an object, and their features silently do nothing. Each CRD is read once; one that
// lacks fields of ours is logged with the fields and the upgrade command, and its schema is kept so that a
// canary applied with a dropped field is reported invalid (controller.ts) instead of analysed without it.
import type { Canary } from '../api/canary.ts';
import { droppedSpecFields, undeclaredFields, undeclaredFieldsWarning } from '../api/crd-drift.ts';
import { buildCrds, VERSION } from '../api/crds.ts';
import type { KubeClient } from '../kube/client.ts';
import type { CustomResourceDefinition } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';

/** The spec fields a canary was applied with that the served Canary CRD dropped. */
export type DroppedFields = (canary: Canary) => string[];

/**
 * Reads the served schema of each of our CRDs and warns about the fields it lacks. Resolves to the check of
 * canaries when the served Canary CRD lacks some, else undefined. Never fails: a CRD that cannot be read
 * (forbidden, absent) is logged and left unchecked.
 */
export async function checkServedCrds(kube: KubeClient, logger: Logger): Promise<DroppedFields | undefined> {
  const checks = await Promise.all(
    buildCrds().map(async ours => {
      const { name } = ours.metadata;
      const oursSchema = ours.spec.versions[0]?.schema.openAPIV3Schema;
      const served = await servedSchema(kube, name).catch((err: unknown) => {
        logger.warn(
          `Cannot read CRD ${name} to check that it has the fields this controller uses: ${(err as Error).message}`,
        );
        return undefined;
      });
      const missing = served === undefined ? [] : undeclaredFields(oursSchema, served);
      if (missing.length > 0) logger.warn(undeclaredFieldsWarning(name, missing));
      return {
        kind: ours.spec.names.kind,
        ours: oursSchema,
        served: missing.length > 0 ? served : undefined,
      };
    }),
  );
  const canary = checks.find(check => check.kind === 'Canary');
  if (canary?.served === undefined) return undefined;
  const { ours, served } = canary;
  return object => droppedSpecFields(object, ours, served);
}

/** The schema the API server serves for our version of a CRD, if it serves that version. */
async function servedSchema(kube: KubeClient, name: string): Promise<unknown> {
  const crd = await kube.get<CustomResourceDefinition>({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    name,
  });
  return crd.spec.versions.find(version => version.name === VERSION && version.served)?.schema
    ?.openAPIV3Schema;
}
