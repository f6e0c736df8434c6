// Traffic weight arithmetic of the canary strategy, exactly as Flagger does it (pkg/controller/scheduler.go).
import type { CanaryAnalysis } from '../api/canary.ts';
import { TOTAL_WEIGHT } from '../api/defaults.ts';
import type { Routes } from '../routers/types.ts';

type WeightFields = Pick<CanaryAnalysis, 'stepWeight' | 'stepWeights'>;

/** How much canary weight the next step adds; 0 means the analysis has no weighted steps. */
export function nextStepWeight(analysis: WeightFields, canaryWeight: number): number {
  const steps = analysis.stepWeights ?? [];
  const stepWeight = analysis.stepWeight ?? 0;
  if (stepWeight > 0 || steps.length === 0) return stepWeight;
  const maxStep = TOTAL_WEIGHT - canaryWeight;
  // At 100% any non-zero step moves the canary on to promotion, as the last stepWeight step does.
  if (maxStep === 0) return 1;
  if (canaryWeight === 0) return Math.min(maxStep, steps[0] ?? maxStep);
  for (let i = 0; i < steps.length - 1; i++) {
    const next = steps[i + 1];
    if (steps[i] === canaryWeight && next !== undefined) return Math.min(maxStep, next - canaryWeight);
  }
  return maxStep;
}

/**
 * The routes of the next canary step below maxWeight. With mirroring, the first step only mirrors traffic (all
 * of it still served by the primary) and the step after it starts the weighted shift.
 */
export function nextCanaryRoutes(
  analysis: WeightFields & Pick<CanaryAnalysis, 'mirror'>,
  current: Routes,
): Routes {
  const step = nextStepWeight(analysis, current.canaryWeight);
  if (analysis.mirror === true && current.canaryWeight === 0) {
    return current.mirrored
      ? { primaryWeight: TOTAL_WEIGHT - step, canaryWeight: step, mirrored: false }
      : { primaryWeight: TOTAL_WEIGHT, canaryWeight: 0, mirrored: true };
  }
  return {
    primaryWeight: Math.max(0, current.primaryWeight - step),
    canaryWeight: Math.min(TOTAL_WEIGHT, current.canaryWeight + step),
    mirrored: current.mirrored,
  };
}

/** The routes of the next promotion step (stepWeightPromotion > 0): weight moves back to the primary. */
export function nextPromotionRoutes(stepWeightPromotion: number, current: Routes): Routes {
  return {
    primaryWeight: Math.min(TOTAL_WEIGHT, current.primaryWeight + stepWeightPromotion),
    canaryWeight: Math.max(0, current.canaryWeight - stepWeightPromotion),
    mirrored: false,
  };
}

export const ALL_TO_PRIMARY: Routes = { primaryWeight: TOTAL_WEIGHT, canaryWeight: 0, mirrored: false };
export const ALL_TO_CANARY: Routes = { primaryWeight: 0, canaryWeight: TOTAL_WEIGHT, mirrored: false };
