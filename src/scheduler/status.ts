// Status transitions as pure functions of the current status: what Flagger's setStatusPhase, SyncStatus and
// friends write (pkg/canary/status.go). The status writer applies them to a fresh read of the Canary.
import type { Canary, CanaryCondition, CanaryMetricCheck, CanaryStatus } from '../api/canary.ts';
import type { ComparisonFacts, MetricCheck } from '../metrics/types.ts';
import type { ObjectMeta } from '../api/object-meta.ts';
import { PROMOTED_CONDITION, promotedCondition, type CanaryPhase } from '../api/phases.ts';
import type { Revision } from '../targets/types.ts';

/** Our own condition: False while the spec breaks a semantic rule (Flagger has no such condition). */
export const VALIDATED_CONDITION = 'Validated';

/** A change to apply to the status of a freshly read Canary. */
export type StatusChange = (canary: Canary, now: string) => CanaryStatus;

/** Flagger's setStatusPhase: the phase with its side effects on weight, iterations and lastPromotedSpec. */
export function setPhase(phase: CanaryPhase): StatusChange {
  return (canary, now) => {
    const status: CanaryStatus = { ...canary.status, phase, lastTransitionTime: now };
    if (phase !== 'Progressing' && phase !== 'Waiting') {
      status.canaryWeight = 0;
      // Quirk Q5 kept: WaitingPromotion resets the weight in status only (routes are untouched), and keeps
      // iterations one short so that the promotion gate is asked again.
      status.iterations = phase === 'WaitingPromotion' ? (canary.spec.analysis.iterations ?? 0) - 1 : 0;
    }
    if (phase === 'Initialized' || phase === 'Succeeded')
      status.lastPromotedSpec = canary.status?.lastAppliedSpec;
    return { ...status, conditions: withPromoted(canary, phase, now) };
  };
}

/** The counters SyncStatus overwrites; unset ones become 0, as in Flagger. */
export interface SyncFields {
  phase: CanaryPhase;
  canaryWeight?: number;
  failedChecks?: number;
  iterations?: number;
}

/** Flagger's SyncStatus: phase and counters, and the target's current revision recorded as applied. */
export function syncStatus(fields: SyncFields, revision: Revision): StatusChange {
  return (canary, now) => ({
    ...canary.status,
    phase: fields.phase,
    canaryWeight: fields.canaryWeight ?? 0,
    failedChecks: fields.failedChecks ?? 0,
    iterations: fields.iterations ?? 0,
    lastAppliedSpec: revision.specHash,
    ...(fields.phase === 'Initialized' ? { lastPromotedSpec: revision.specHash } : {}),
    trackedConfigs: revision.trackedConfigs,
    lastTransitionTime: now,
    conditions: withPromoted(canary, fields.phase, now),
  });
}

/** Sets one counter (canaryWeight, iterations or failedChecks). */
export function setCounter(
  field: 'canaryWeight' | 'iterations' | 'failedChecks',
  value: number,
): StatusChange {
  return (canary, now) => ({ ...canary.status, [field]: value, lastTransitionTime: now });
}

/** Merges router-maintained fields (session affinity cookies); an empty or null value removes the field. */
export function mergeFields(fields: Partial<CanaryStatus>): StatusChange {
  return canary => {
    // Routers report a cleared cookie as '' (or null): the field is removed, never written as null.
    const values = Object.entries(fields as Record<string, unknown>);
    const set = values.filter(([, value]) => value !== null && value !== '' && value !== undefined);
    const cleared = new Set(values.map(([key]) => key));
    const kept = Object.entries(canary.status ?? {}).filter(([key]) => !cleared.has(key));
    return Object.fromEntries([...kept, ...set]);
  };
}

/**
 * A new run starts: the decision record of the last run is dropped (extension) and, for canaries that set
 * analysis.delay (extension), the start time is recorded for the delay to count from. A canary that uses neither
 * keeps its status as Flagger writes it.
 */
export function markRunStart(): StatusChange {
  return (canary, now) => {
    const status = { ...canary.status };
    delete status.metricChecks;
    return canary.spec.analysis.delay === undefined ? status : { ...status, analysisStartTime: now };
  };
}

/** How many metric checks the decision record keeps by default. */
export const METRIC_CHECK_HISTORY = 10;

/** A statistical comparison's evidence as status fields; JSON has no NaN or infinity, so those are left out. */
function comparisonRecord(facts: ComparisonFacts | undefined): Partial<CanaryMetricCheck> {
  if (facts === undefined) return {};
  const { effectInterval, ...rest } = facts;
  const finite = Object.entries(rest).filter(([, v]) => typeof v === 'string' || Number.isFinite(v));
  return {
    ...Object.fromEntries(finite),
    ...(effectInterval?.every(Number.isFinite) === true && { effectInterval }),
  };
}

/**
 * Extension: appends checks to the decision record (status.metricChecks), keeping the newest `limit`. Queries are
 * stored with their whitespace collapsed, so that the record reads well in `kubectl get canary -o yaml`.
 */
export function recordMetricChecks(
  checks: readonly MetricCheck[],
  limit = METRIC_CHECK_HISTORY,
): StatusChange {
  return (canary, now) => {
    const added = checks.map((check): CanaryMetricCheck => {
      const { metric, provider, query, interval, value, min, max, baseline, verdict } = check;
      return {
        metric,
        provider,
        ...(query !== undefined && { query: query.replace(/\s+/g, ' ').trim() }),
        interval,
        // JSON has no NaN or infinity; the message says what came back.
        ...(value !== undefined && Number.isFinite(value) && { value }),
        ...(min !== undefined && { min }),
        ...(max !== undefined && { max }),
        ...(baseline !== undefined && Number.isFinite(baseline) && { baseline }),
        ...comparisonRecord(check.comparison),
        verdict,
        ...(!check.ok && { message: check.message }),
        time: now,
      };
    });
    const metricChecks = [...(canary.status?.metricChecks ?? []), ...added].slice(-limit);
    return { ...canary.status, metricChecks };
  };
}

/** A change to the Canary's own metadata; the description names it in dry-run logs. */
export interface MetadataChange {
  description: string;
  /** Changes metadata in place; false when there is nothing to change. */
  apply(metadata: ObjectMeta): boolean;
}

export function withFinalizer(finalizer: string): MetadataChange {
  return {
    description: `add finalizer ${finalizer}`,
    apply: metadata => {
      const finalizers = metadata.finalizers ?? [];
      if (finalizers.includes(finalizer)) return false;
      metadata.finalizers = [...finalizers, finalizer];
      return true;
    },
  };
}

export function withoutFinalizer(finalizer: string): MetadataChange {
  return {
    description: `remove finalizer ${finalizer}`,
    apply: metadata => {
      const finalizers = metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return false;
      metadata.finalizers = finalizers.filter(f => f !== finalizer);
      return true;
    },
  };
}

export function withoutAnnotation(key: string): MetadataChange {
  return {
    description: `remove annotation ${key}`,
    apply: metadata => {
      if (metadata.annotations?.[key] === undefined) return false;
      metadata.annotations = Object.fromEntries(
        Object.entries(metadata.annotations).filter(([name]) => name !== key),
      );
      return true;
    },
  };
}

/** Sets or clears our Validated condition; problems empty means valid. */
export function setValidation(problems: readonly string[]): StatusChange {
  return (canary, now) => {
    if (problems.length > 0) {
      const condition = { status: 'False', reason: 'InvalidSpec', message: problems.join('; ') };
      return { ...canary.status, conditions: withCondition(canary, VALIDATED_CONDITION, condition, now) };
    }
    const others = (canary.status?.conditions ?? []).filter(c => c.type !== VALIDATED_CONDITION);
    return { ...canary.status, conditions: others };
  };
}

/** Our own condition (extension): whether the metric queries of this spec generation answer. */
export const METRICS_VERIFIED_CONDITION = 'MetricsVerified';

/** Records the query verification of the canary's current generation in the MetricsVerified condition. */
export function setMetricsVerification(problems: readonly string[]): StatusChange {
  return (canary, now) => {
    const condition =
      problems.length === 0
        ? {
            status: 'True',
            reason: 'QueriesAnswer',
            message: `${String(canary.spec.analysis.metrics?.length ?? 0)} metric queries answer`,
          }
        : { status: 'False', reason: 'QueryProblems', message: problems.join('; ') };
    const generation = canary.metadata.generation;
    return {
      ...canary.status,
      conditions: withCondition(
        canary,
        METRICS_VERIFIED_CONDITION,
        { ...condition, ...(generation !== undefined && { observedGeneration: generation }) },
        now,
      ),
    };
  };
}

/** The conditions with one of ours set; its times change only when its message or status does. */
function withCondition(
  canary: Canary,
  type: string,
  next: Omit<CanaryCondition, 'type'>,
  now: string,
): CanaryCondition[] {
  const others = (canary.status?.conditions ?? []).filter(c => c.type !== type);
  const current = canary.status?.conditions?.find(c => c.type === type);
  const condition: CanaryCondition = {
    type,
    ...next,
    lastUpdateTime:
      current !== undefined && current.message === next.message ? (current.lastUpdateTime ?? now) : now,
    lastTransitionTime:
      current !== undefined && current.status === next.status ? (current.lastTransitionTime ?? now) : now,
  };
  return [...others, condition];
}

/**
 * The conditions with Promoted set for `phase`. As in Flagger, the condition changes only when its status or
 * reason does, and keeps its lastTransitionTime while its status stays the same. Other conditions are kept.
 */
export function withPromoted(canary: Canary, phase: CanaryPhase, now: string): CanaryCondition[] {
  const conditions = canary.status?.conditions ?? [];
  const current = conditions.find(c => c.type === PROMOTED_CONDITION);
  const next = promotedCondition(phase, canary.spec.targetRef.kind);
  if (current && current.status === next.status && current.reason === next.reason) return conditions;
  const condition: CanaryCondition = {
    type: PROMOTED_CONDITION,
    status: next.status,
    reason: next.reason,
    message: next.message,
    lastUpdateTime: now,
    lastTransitionTime: current?.status === next.status ? (current.lastTransitionTime ?? now) : now,
  };
  return [condition, ...conditions.filter(c => c.type !== PROMOTED_CONDITION)];
}
