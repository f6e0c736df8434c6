// The detail fields of an alert (Flagger's alert() and alertMetadata() in pkg/controller/events.go).
import type { Canary } from '../api/canary.ts';
import { analysisThreshold, maxWeight, progressDeadlineSeconds } from '../api/defaults.ts';
import type { AlertField } from './types.ts';

/**
 * `Cluster` when a cluster name is set; with metadata, then `Target` (`<Kind>/<name>.<namespace>`), `Failed checks
 * threshold`, `Progress deadline` and, when the strategy is known, `Traffic routing`.
 */
export function alertFields(canary: Canary, clusterName: string, includeMetadata: boolean): AlertField[] {
  const fields: AlertField[] = [];
  if (clusterName !== '') fields.push({ name: 'Cluster', value: clusterName });
  if (!includeMetadata) return fields;
  const { spec } = canary;
  fields.push(
    {
      name: 'Target',
      value: `${spec.targetRef.kind}/${spec.targetRef.name}.${canary.metadata.namespace ?? ''}`,
    },
    { name: 'Failed checks threshold', value: String(analysisThreshold(spec.analysis)) },
    { name: 'Progress deadline', value: `${progressDeadlineSeconds(spec)}s` },
  );
  const routing = trafficRouting(canary);
  if (routing !== undefined) fields.push({ name: 'Traffic routing', value: routing });
  return fields;
}

/**
 * Flagger's order: step weight, step weights, A/B (match), blue/green (iterations). Flagger prints the raw
 * maxWeight field, which reads "max: 0" when it is left out (always so with stepWeights); we print the weight the
 * canary is promoted at (api/defaults maxWeight: the last step, else maxWeight, else 100).
 */
function trafficRouting(canary: Canary): string | undefined {
  const { analysis } = canary.spec;
  if ((analysis.stepWeight ?? 0) > 0) {
    return `Weight step: ${analysis.stepWeight ?? 0} max: ${maxWeight(analysis)}`;
  }
  const steps = analysis.stepWeights ?? [];
  if (steps.length > 0) return `Weight steps: ${steps.join(',')} max: ${maxWeight(analysis)}`;
  if ((analysis.match?.length ?? 0) > 0) return 'A/B Testing';
  if ((analysis.iterations ?? 0) > 0) return 'Blue/Green';
  return undefined;
}
