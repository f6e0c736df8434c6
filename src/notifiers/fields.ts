// The detail fields of an alert (Flagger's alert() and alertMetadata() in pkg/controller/events.go).
import type { Canary } from '../api/canary.ts';
import { analysisThreshold, deploymentStrategy, progressDeadlineSeconds } from '../api/defaults.ts';
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
 * As Flagger's alertMetadata: "A/B Testing" or "Blue/Green" by the strategy (whatever the provider), else the
 * canary's stepWeight or stepWeights, each with the maxWeight field as written ("max: 0" when it is left out,
 * always so with stepWeights); none for a canary with neither.
 */
function trafficRouting(canary: Canary): string | undefined {
  const { analysis } = canary.spec;
  const strategy = deploymentStrategy(analysis, '');
  if (strategy === 'ab-testing') return 'A/B Testing';
  if (strategy === 'blue-green') return 'Blue/Green';
  const max = analysis.maxWeight ?? 0;
  if ((analysis.stepWeight ?? 0) > 0) return `Weight step: ${analysis.stepWeight ?? 0} max: ${max}`;
  const steps = analysis.stepWeights ?? [];
  return steps.length > 0 ? `Weight steps: ${steps.join(',')} max: ${max}` : undefined;
}
