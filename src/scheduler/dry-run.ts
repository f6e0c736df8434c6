// The controller's --dry-run mode (extension: Flagger has none). Every read stays real, so the analysis and its
// decisions are the ones the controller would take; every change is replaced by a "[dry-run] would ..." log
// line. Each wrapper lists every method of its interface, so a new method cannot slip through unclassified.
import type { Canary } from '../api/canary.ts';
import { webhookType } from '../api/defaults.ts';
import type { WebhookType } from '../api/canary.ts';
import type { Logger } from '../logging/logger.ts';
import type { Router, ServiceRouter } from '../routers/types.ts';
import type { ScalerReconciler, WorkloadTarget } from '../targets/types.ts';
import type { CallHook } from './gates.ts';
import { CanaryRecorder, canaryId } from './recorder.ts';
import type { MetadataChange, StatusChange } from './status.ts';
import type { CanaryWriter } from './status-writer.ts';
import type { SchedulerDeps } from './types.ts';
import { kubeNow } from '../util/time.ts';

/** Logs the change instead of making it, and resolves at once. */
type Would = (canary: Pick<Canary, 'metadata'>, action: string) => Promise<void>;

/** Hooks that only answer whether to go on: still called, so the dry run takes the decisions they gate. */
const GATING_HOOKS = new Set<WebhookType>([
  'confirm-rollout',
  'confirm-promotion',
  'confirm-traffic-increase',
  'rollback',
]);

/** `deps` with every change logged instead of made; Kubernetes Events and alerts are only logged too. */
export function dryRun(deps: SchedulerDeps, logger: Logger): SchedulerDeps {
  const recorder = new CanaryRecorder({
    logger,
    events: { record: () => Promise.resolve() },
    alerter: { alert: (canary, message) => would(canary, `send alert "${message}"`) },
  });
  const would: Would = (canary, action) => {
    recorder.logger(canary).info(`[dry-run] would ${action}`);
    return Promise.resolve();
  };
  return {
    ...deps,
    status: dryRunWriter(would),
    recorder,
    target: canary => dryRunTarget(deps.target(canary), would),
    // Every scaler call changes something: only whether the canary has a scaler is read.
    scaler: canary => (deps.scaler(canary) ? dryRunScaler(would) : undefined),
    services: () => dryRunServices(would),
    router: (provider, metadata) => dryRunRouter(provider, deps.router(provider, metadata), would),
    callHook: dryRunHooks(deps.callHook, would),
  };
}

/**
 * Changes are applied to a copy that the tick continues with, so one tick logs the decisions a real one
 * would take in a row; the next tick starts again from the stored Canary.
 */
function dryRunWriter(would: Would): CanaryWriter {
  return {
    apply: async (canary: Canary, ...changes: StatusChange[]) => {
      const next = structuredClone(canary);
      const now = kubeNow();
      for (const change of changes) next.status = change(next, now);
      await would(canary, `update status: ${statusDiff(canary, next)}`);
      return next;
    },
    modifyMetadata: async (canary: Canary, change: MetadataChange) => {
      const next = structuredClone(canary);
      if (change.apply(next.metadata)) await would(canary, change.description);
      return next;
    },
  };
}

/** The status fields a change sets, e.g. "phase=Progressing canaryWeight=10"; timestamps are left out. */
function statusDiff(before: Canary, after: Canary): string {
  const old: Record<string, unknown> = before.status ?? {};
  const fields = Object.entries(after.status ?? {}).filter(
    ([key, value]) => key !== 'lastTransitionTime' && JSON.stringify(value) !== JSON.stringify(old[key]),
  );
  if (fields.length === 0) return 'no change';
  return fields
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' ');
}

function targetName(canary: Canary): string {
  const { kind, name } = canary.spec.targetRef;
  return `${kind} ${name}.${canary.metadata.namespace ?? ''}`;
}

function dryRunTarget(real: WorkloadTarget, would: Would): WorkloadTarget {
  const logged = (action: (target: string) => string) => (canary: Canary) =>
    would(canary, action(targetName(canary)));
  return {
    getMetadata: canary => real.getMetadata(canary),
    isPrimaryReady: canary => real.isPrimaryReady(canary),
    isCanaryReady: canary => real.isCanaryReady(canary),
    revision: canary => real.revision(canary),
    hasTargetChanged: canary => real.hasTargetChanged(canary),
    isPromoted: canary => real.isPromoted(canary),
    haveDependenciesChanged: canary => real.haveDependenciesChanged(canary),
    initialize: logged(target => `create the missing primary objects of ${target}`),
    promote: logged(target => `copy the spec of ${target} to its primary`),
    scaleToZero: logged(target => `scale ${target} to zero`),
    scaleFromZero: logged(target => `scale ${target} up from zero`),
    finalize: logged(target => `give ${target} its replicas back`),
  };
}

function dryRunScaler(would: Would): ScalerReconciler {
  const logged = (action: string) => (canary: Canary) => would(canary, `${action} of ${targetName(canary)}`);
  return {
    reconcilePrimaryScaler: logged('reconcile the primary autoscaler'),
    pauseTargetScaler: logged('pause the autoscaler'),
    resumeTargetScaler: logged('resume the autoscaler'),
  };
}

function dryRunServices(would: Would): ServiceRouter {
  const logged = (action: string) => (canary: Canary) => would(canary, `${action} of ${canaryId(canary)}`);
  return {
    initialize: logged('reconcile the primary and canary Services'),
    reconcile: logged('reconcile the apex Service'),
    finalize: logged('restore the apex Service'),
  };
}

function dryRunRouter(provider: string, real: Router, would: Would): Router {
  return {
    getRoutes: canary => real.getRoutes(canary),
    reconcile: canary => would(canary, `reconcile the ${provider} routing`),
    setRoutes: async (canary, routes) => {
      const mirror = routes.mirrored ? ' with mirroring' : '';
      await would(
        canary,
        `route ${routes.primaryWeight}% to primary, ${routes.canaryWeight}% to canary${mirror}`,
      );
      // No session affinity cookies either: the tick has nothing to persist.
      return {};
    },
    finalize: canary => would(canary, `restore the ${provider} routing`),
  };
}

/** Gating hooks are called; the others (pre-rollout, rollout, post-rollout) may act, so they only pass. */
function dryRunHooks(real: CallHook, would: Would): CallHook {
  return async (hook, payload) => {
    const type = webhookType(hook);
    if (GATING_HOOKS.has(type)) return real(hook, payload);
    const canary = { metadata: { name: payload.name, namespace: payload.namespace } };
    await would(canary, `call ${type} webhook ${hook.name}`);
    return { ok: true };
  };
}
