// Whether a Deployment or DaemonSet has finished rolling out, decided purely from its status (Flagger's
// deployment_ready.go and daemonset_ready.go, with their message texts).
import type { DaemonSet, Deployment } from '../kube/types.ts';
import type { Readiness } from './types.ts';

export interface ReadinessRules {
  /** The canary's progressDeadlineSeconds. */
  deadlineSeconds: number;
  /** Percentage of updated pods that must be available. */
  readyThreshold: number;
  /** The current time in ms. */
  now: number;
}

const READY: Readiness = { ready: true };
const WAITING = 'waiting for rollout to finish: ';

function notReady(retriable: boolean, message: string): Readiness {
  return { ready: false, retriable, message };
}

/** readyThreshold percent of count, computed in float32 and truncated as Flagger's Go code does. */
export function thresholdCount(count: number, readyThreshold: number): number {
  const ratio = Math.fround(Math.fround(readyThreshold) / Math.fround(100));
  return Math.trunc(Math.fround(Math.fround(count) * ratio));
}

/** True when time (RFC 3339) plus the deadline lies in the past; an absent time has no deadline. */
function deadlinePassed(time: string | undefined, rules: ReadinessRules): boolean {
  const from = time === undefined ? NaN : Date.parse(time);
  return !Number.isNaN(from) && from + rules.deadlineSeconds * 1000 < rules.now;
}

/** Whether the rollout sits with too few available replicas for longer than the progress deadline. */
function deploymentStuck(deployment: Deployment, rules: ReadinessRules): boolean {
  const conditions = deployment.status?.conditions ?? [];
  const available = conditions.find(c => c.type === 'Available');
  return (
    conditions.some(c => c.type === 'Progressing') &&
    available?.status === 'False' &&
    available.reason === 'MinimumReplicasUnavailable' &&
    deadlinePassed(available.lastUpdateTime, rules)
  );
}

/** Why the Deployment's replicas are not all updated and available yet, if they are not. */
function deploymentWaiting(deployment: Deployment, readyThreshold: number): string | undefined {
  const desired = deployment.spec?.replicas;
  const { updatedReplicas: updated = 0, replicas = 0, availableReplicas = 0 } = deployment.status ?? {};
  const needed = thresholdCount(updated, readyThreshold);
  if (desired !== undefined && updated < desired) {
    return `${updated} out of ${desired} new replicas have been updated`;
  }
  if (replicas > updated) return `${replicas - updated} old replicas are pending termination`;
  if (availableReplicas < needed) {
    return `${availableReplicas} of ${needed} (readyThreshold ${readyThreshold}%) updated replicas are available`;
  }
  return undefined;
}

/**
 * A Deployment is ready once its controller has observed the latest spec and all replicas are updated, no old
 * ones remain and enough updated ones are available. ProgressDeadlineExceeded is final; so is being stuck
 * with too few available replicas for longer than the canary's progress deadline.
 */
export function deploymentReadiness(deployment: Deployment, rules: ReadinessRules): Readiness {
  if ((deployment.metadata?.generation ?? 0) > (deployment.status?.observedGeneration ?? 0)) {
    return notReady(true, `${WAITING}observed deployment generation less than desired generation`);
  }
  const progressing = deployment.status?.conditions?.find(c => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return notReady(false, `deployment "${deployment.metadata?.name ?? ''}" exceeded its progress deadline`);
  }
  const waiting = deploymentWaiting(deployment, rules.readyThreshold);
  return waiting === undefined ? READY : notReady(!deploymentStuck(deployment, rules), WAITING + waiting);
}

/**
 * A DaemonSet is ready once every scheduled pod is updated and enough are available. DaemonSets have no
 * progress condition, so the deadline runs from the canary's status.lastTransitionTime.
 */
export function daemonSetReadiness(
  daemonSet: DaemonSet,
  rules: ReadinessRules & { lastTransitionTime: string | undefined },
): Readiness {
  const status = daemonSet.status;
  if ((daemonSet.metadata?.generation ?? 0) > (status?.observedGeneration ?? 0)) {
    return notReady(true, `${WAITING}observed daemonset generation less than desired generation`);
  }
  const {
    desiredNumberScheduled: desired = 0,
    updatedNumberScheduled: updated = 0,
    numberAvailable = 0,
  } = status ?? {};
  const needed = thresholdCount(desired, rules.readyThreshold);
  if (updated >= desired && numberAvailable >= needed) return READY;
  if (deadlinePassed(rules.lastTransitionTime, rules)) {
    return notReady(false, `exceeded its progressDeadlineSeconds: ${rules.deadlineSeconds}`);
  }
  const waiting =
    updated < desired
      ? `${updated} out of ${desired} new pods have been updated`
      : `${numberAvailable} of ${needed} (readyThreshold ${rules.readyThreshold}%) updated pods are available`;
  return notReady(true, WAITING + waiting);
}
