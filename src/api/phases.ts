// Canary phases and the `Promoted` status condition that summarises them (Flagger's MakeStatusConditions).

export const CANARY_PHASES = [
  '',
  'Initializing',
  'Initialized',
  'Waiting',
  'Progressing',
  'WaitingPromotion',
  'Promoting',
  'Finalising',
  'Succeeded',
  'Failed',
  'Terminating',
  // Declared by Flagger but never written (quirk Q9); kept so status objects that carry it stay valid.
  'Terminated',
] as const;

export type CanaryPhase = (typeof CANARY_PHASES)[number];

export const PROMOTED_CONDITION = 'Promoted';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface PromotedCondition {
  status: ConditionStatus;
  /** Always the phase name. */
  reason: CanaryPhase;
  message: string;
}

/** The Promoted condition for `phase`; `targetKind` is spec.targetRef.kind (Deployment, DaemonSet, Service). */
export function promotedCondition(phase: CanaryPhase, targetKind: string): PromotedCondition {
  const [status, message] = conditionFor(phase, targetKind);
  return { status, reason: phase, message };
}

function conditionFor(phase: CanaryPhase, kind: string): [ConditionStatus, string] {
  switch (phase) {
    case 'Initialized':
      return ['True', `${kind} initialization completed.`];
    case 'Waiting':
    case 'WaitingPromotion':
      return ['Unknown', 'Waiting for approval.'];
    case 'Progressing':
      return ['Unknown', 'New revision detected, progressing canary analysis.'];
    case 'Promoting':
      return ['Unknown', 'Canary analysis completed, starting primary rolling update.'];
    case 'Finalising':
      return ['Unknown', 'Canary analysis completed, routing all traffic to primary.'];
    case 'Succeeded':
      return ['True', 'Canary analysis completed successfully, promotion finished.'];
    case 'Failed':
      return ['False', `Canary analysis failed, ${kind} scaled to zero.`];
    case '':
    case 'Initializing':
    case 'Terminating':
    case 'Terminated':
      // Flagger's default branch: the initialization text.
      return ['Unknown', `New ${kind} detected, starting initialization.`];
  }
}
