// Istio's networking CRDs (crds/istio.yaml), for the demo's control plane and the tests: there is no Istio here,
// only the kinds Flagger's Istio router writes, which the demo's data plane reads.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../kube/types.ts';

/** The VirtualService and DestinationRule CRDs. */
export function istioCrds(): KubeObject[] {
  const yaml = readFileSync(new URL('crds/istio.yaml', import.meta.url), 'utf8');
  return parseAllDocuments(yaml).map(document => document.toJS() as KubeObject);
}
