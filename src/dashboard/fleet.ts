// The fleet view's row for one canary: what `flagger get` shows, shaped for the page (phase, traffic weight,
// step k of n, failed checks against the threshold, age).
import type { Canary } from '../api/canary.ts';
import { PAUSE_ANNOTATION } from '../scheduler/extensions.ts';
import { computePlan, currentTick } from '../cli/commands/timeline.ts';

export interface FleetRow {
  namespace: string;
  name: string;
  phase: string;
  /** Traffic to the canary, 0-100. */
  weight: number;
  /** The analysis step under way and how many the run has; absent outside a run. */
  step?: { current: number; of: number };
  failedChecks: number;
  threshold: number;
  paused: boolean;
  created: string;
  lastTransition?: string;
}

/** The row of one canary; a spec the plan cannot be computed for still gets a row, without steps. */
export function fleetRow(canary: Canary, meshProvider: string): FleetRow {
  const status = canary.status;
  const phase = status?.phase || 'Initializing';
  const { step, threshold } = progressOf(canary, meshProvider);
  return {
    namespace: canary.metadata.namespace ?? 'default',
    name: canary.metadata.name ?? '',
    phase,
    weight: status?.canaryWeight ?? 0,
    ...(step !== undefined && { step }),
    failedChecks: status?.failedChecks ?? 0,
    threshold,
    paused: canary.metadata.annotations?.[PAUSE_ANNOTATION] === 'true',
    created: canary.metadata.creationTimestamp ?? '',
    ...(status?.lastTransitionTime !== undefined && { lastTransition: status.lastTransitionTime }),
  };
}

/** The step under way and the failed checks that roll back, from the plan `flagger plan` shows. */
function progressOf(canary: Canary, meshProvider: string): Pick<FleetRow, 'step' | 'threshold'> {
  try {
    const plan = computePlan(canary, { meshProvider });
    const tick = currentTick(plan, canary.status);
    return {
      threshold: plan.threshold,
      ...(tick?.step !== undefined && { step: { current: tick.step, of: plan.steps } }),
    };
  } catch {
    return { threshold: canary.spec.analysis.threshold ?? 0 };
  }
}

/** Rows sorted by namespace, then name. */
export function fleetRows(canaries: Canary[], meshProvider: string): FleetRow[] {
  return canaries
    .map(c => fleetRow(c, meshProvider))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
