// The canary controller: informers feed a work queue of canary keys; sync(key) validates the canary, handles
// deletion and finalizers, marks new canaries Initializing and keeps one analysis job per valid canary.
// Unlike Flagger, which polls every analysis interval, changes to a target Deployment/DaemonSet or a tracked
// ConfigMap/Secret are watched and start the next tick of an idle canary at once.
import type { Canary } from '../api/canary.ts';
import { droppedFieldsProblem, LAST_APPLIED_ANNOTATION } from '../api/crd-drift.ts';
import { API_VERSION } from '../api/crds.ts';
import { analysisIntervalMs } from '../api/defaults.ts';
import { validateCanary } from '../api/validate.ts';
import { Informer } from '../kube/informer.ts';
import { objectKey, splitKey } from '../kube/types.ts';
import { WorkQueue } from '../kube/workqueue.ts';
import type { Logger } from '../logging/logger.ts';
import { advanceCanary } from '../scheduler/advance.ts';
import { addFinalizer, FINALIZER, finalizeCanary, removeFinalizer } from '../scheduler/finalize.ts';
import { CONTROL_ANNOTATIONS, PAUSE_ANNOTATION } from '../scheduler/extensions.ts';
import { CarriedReads } from '../scheduler/carried-reads.ts';
import { CanaryJobs } from '../scheduler/jobs.ts';
import { setPhase, setValidation, VALIDATED_CONDITION } from '../scheduler/status.ts';
import type { SchedulerDeps } from '../scheduler/types.ts';
import type { DroppedFields } from './crd-check.ts';
import { watchDependencies, watchedTarget, type Dependencies } from './dependencies.ts';
import type { PrometheusTelemetry } from './telemetry.ts';

export interface ControllerOptions {
  /** -namespace: watch one namespace only. */
  namespace?: string;
  /** -threadiness: queue workers. */
  workers: number;
  noCrossNamespaceRefs: boolean;
  /** Relist period of the informers (Flagger resyncs every 30s; watches make that a safety net only). */
  relistIntervalMs?: number;
  /** -enable-config-tracking (default true): whether ConfigMaps and Secrets are watched. */
  trackConfigs?: boolean;
  /** Shortest analysis interval (Flagger: 10s); lowered only by tests and the local playground. */
  minAnalysisIntervalMs?: number;
  /** Longest wait between two ticks of an idle canary (default 10m), for changes no watch reports. */
  idleResyncMs?: number;
  /**
   * Set when the served Canary CRD lacks fields of ours (crd-check.ts): a canary applied with one of them is
   * invalid, since the API server dropped it.
   */
  droppedFields?: DroppedFields;
  /** The controller's own series (canaries per namespace, queue depth, informer health). */
  telemetry?: Pick<PrometheusTelemetry, 'setTotal' | 'watchInformer' | 'watchQueue'>;
}

/** Flagger ticks idle canaries every interval; here watches report their changes and this is the safety net. */
const DEFAULT_IDLE_RESYNC_MS = 10 * 60_000;

export class Controller {
  private readonly deps: SchedulerDeps;
  private readonly options: ControllerOptions;
  private readonly logger: Logger;
  private readonly canaries: Informer<Canary>;
  private readonly queue = new WorkQueue({ baseDelayMs: 500, maxDelayMs: 60_000 });
  private readonly jobs: CanaryJobs;
  private readonly dependencies: Dependencies;

  constructor(deps: SchedulerDeps, options: ControllerOptions, logger: Logger) {
    // Each analysing canary's tick starts from what its last one read, where the watches see no change.
    const carriedReads = new CarriedReads((...args) => this.dependencies.isCurrent(...args));
    this.deps = { ...deps, carriedReads };
    this.options = options;
    this.logger = logger;
    this.jobs = new CanaryJobs(
      async (key, requestOnly) => {
        const { namespace, name } = splitKey(key);
        const end = await advanceCanary(this.deps, namespace ?? '', name, requestOnly);
        // Only a watched target reports its new revisions: others are polled at the interval, as by Flagger.
        const canary = this.canaries.get(key);
        return end === 'idle' && canary !== undefined && !watchedTarget(canary) ? 'retry' : end;
      },
      { idleResyncMs: options.idleResyncMs ?? DEFAULT_IDLE_RESYNC_MS },
    );
    this.canaries = new Informer<Canary>(deps.kube, {
      apiVersion: API_VERSION,
      kind: 'Canary',
      namespace: options.namespace,
      logger,
      relistIntervalMs: options.relistIntervalMs,
    });
    this.canaries.addHandlers({
      onAdd: canary => {
        this.countCanaries(canary);
        this.queue.add(objectKey(canary));
      },
      onUpdate: (old, canary) => {
        if (needsSync(old, canary) || (options.droppedFields && appliedChanged(old, canary)))
          this.queue.add(objectKey(canary));
        // Extension: a control annotation (promote, abort, pause, reset, skip-analysis) acts at once.
        else if (controlChanged(old, canary)) this.jobs.request(objectKey(canary));
      },
      onDelete: canary => {
        this.countCanaries(canary);
        this.jobs.remove(objectKey(canary));
        carriedReads.forget(objectKey(canary));
        // A canary that waited for this one's target may have it now.
        for (const other of this.canaries.list(canary.metadata.namespace ?? ''))
          if (sameTarget(other, canary)) this.queue.add(objectKey(other));
      },
    });
    options.telemetry?.watchInformer('Canary', this.canaries.stats);
    options.telemetry?.watchQueue(() => this.queue.length);
    this.dependencies = watchDependencies(deps.kube, options, logger, (namespace, match) =>
      this.nudgeConcerned(namespace, match),
    );
  }

  /** Starts watching and reconciling; resolves once the canary cache is filled. */
  async start(): Promise<void> {
    this.canaries.start();
    await this.canaries.synced;
    void this.queue.run(
      this.options.workers,
      key => this.sync(key),
      (key, err) => this.logger.error({ canary: key, err: (err as Error).message }, 'sync failed, retrying'),
    );
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    this.canaries.stop();
    this.dependencies.stop();
    await this.jobs.stop();
  }

  /** flagger_canary_total of the canary's namespace. */
  private countCanaries(canary: Canary): void {
    const namespace = canary.metadata.namespace ?? '';
    this.options.telemetry?.setTotal(namespace, this.canaries.list(namespace).length);
  }

  /** Nudges the canaries of a namespace that a change concerns. */
  private nudgeConcerned(namespace: string, concerns: (canary: Canary) => boolean): void {
    for (const canary of this.canaries.list(namespace))
      if (concerns(canary)) this.jobs.nudge(objectKey(canary));
  }

  private async sync(key: string): Promise<void> {
    const canary = this.canaries.get(key);
    if (!canary) {
      this.jobs.remove(key);
      return;
    }
    if (canary.metadata.deletionTimestamp) {
      this.jobs.remove(key);
      await this.handleDeletion(canary);
      return;
    }
    if (!(await this.validate(canary))) {
      this.jobs.remove(key);
      return;
    }
    if (!canary.status?.conditions?.some(c => c.type === 'Promoted')) {
      await this.deps.status.apply(canary, setPhase('Initializing'));
    }
    const hasFinalizer = canary.metadata.finalizers?.includes(FINALIZER) === true;
    if (canary.spec.revertOnDeletion === true && !hasFinalizer) await addFinalizer(this.deps, canary);
    if (canary.spec.revertOnDeletion !== true && hasFinalizer) await removeFinalizer(this.deps, canary);
    const started = this.jobs.ensure(
      key,
      analysisIntervalMs(canary.spec.analysis, this.options.minAnalysisIntervalMs),
    );
    // A spec change of a canary that waits for a change is applied now (routes, services), not at the resync.
    if (!started) this.jobs.nudge(key);
  }

  private async handleDeletion(canary: Canary): Promise<void> {
    if (!canary.metadata.finalizers?.includes(FINALIZER)) return;
    if (canary.spec.revertOnDeletion === true && canary.status?.phase !== 'Terminated') {
      await finalizeCanary(this.deps, canary);
      return;
    }
    await removeFinalizer(this.deps, canary);
  }

  private problems(canary: Canary): string[] {
    const dropped = this.options.droppedFields?.(canary) ?? [];
    return [
      ...validateCanary(canary, {
        noCrossNamespaceRefs: this.options.noCrossNamespaceRefs,
        meshProvider: this.deps.meshProvider,
      }),
      ...(dropped.length > 0 ? [droppedFieldsProblem('Canary', dropped)] : []),
    ].map(p => p.message);
  }

  /** The older valid canary of the namespace with the same target, if any (by creation, then by name). */
  private targetOwner(canary: Canary): string | undefined {
    const older = (other: Canary) =>
      (other.metadata.creationTimestamp ?? '').localeCompare(canary.metadata.creationTimestamp ?? '') ||
      (other.metadata.name ?? '').localeCompare(canary.metadata.name ?? '');
    return this.canaries
      .list(canary.metadata.namespace ?? '')
      .find(
        other =>
          other.metadata.name !== canary.metadata.name &&
          !other.metadata.deletionTimestamp &&
          sameTarget(other, canary) &&
          older(other) < 0 &&
          this.problems(other).length === 0,
      )?.metadata.name;
  }

  /**
   * An invalid canary is reported in its status (condition Validated=False), a warning event and the log, and
   * gets no analysis job; other canaries are unaffected. Reported once per distinct problem list.
   */
  private async validate(canary: Canary): Promise<boolean> {
    const problems = this.problems(canary);
    const owner = this.targetOwner(canary);
    // Two canaries on one target would fight over its primary and routes (Flagger lets them): the older keeps it.
    if (owner !== undefined) {
      const { kind, name } = canary.spec.targetRef;
      problems.push(`spec.targetRef: ${kind} ${name} is already the target of canary ${owner}`);
    }
    const current = canary.status?.conditions?.find(c => c.type === VALIDATED_CONDITION);
    const reported = current?.message ?? '';
    if (problems.length === 0) {
      if (current) await this.deps.status.apply(canary, setValidation([]));
      return true;
    }
    if (reported !== problems.join('; ')) {
      await this.deps.status.apply(canary, setValidation(problems));
      await this.deps.recorder.warn(canary, `Invalid canary spec: ${problems.join('; ')}`);
    }
    return false;
  }
}

function sameTarget(a: Canary, b: Canary): boolean {
  return a.spec.targetRef.kind === b.spec.targetRef.kind && a.spec.targetRef.name === b.spec.targetRef.name;
}

/**
 * A control annotation was set, or the pause lifted. The one-shot ones are removed by the tick that acts on them;
 * that removal must not run another tick.
 */
function controlChanged(old: Canary, canary: Canary): boolean {
  return CONTROL_ANNOTATIONS.some(key => {
    const before = old.metadata.annotations?.[key];
    const after = canary.metadata.annotations?.[key];
    return before !== after && (after !== undefined || key === PAUSE_ANNOTATION);
  });
}

/**
 * A new kubectl apply. Under an older CRD, an apply whose only change is a field the API server drops leaves the
 * stored spec as it was and changes this annotation alone.
 */
function appliedChanged(old: Canary, canary: Canary): boolean {
  return (
    old.metadata.annotations?.[LAST_APPLIED_ANNOTATION] !==
    canary.metadata.annotations?.[LAST_APPLIED_ANNOTATION]
  );
}

/** Flagger re-syncs a canary when its spec changed, when it is being deleted, or when finalizers need work. */
function needsSync(old: Canary, canary: Canary): boolean {
  if (JSON.stringify(old.spec) !== JSON.stringify(canary.spec)) return true;
  if (canary.metadata.deletionTimestamp) return true;
  const hasFinalizer = canary.metadata.finalizers?.includes(FINALIZER) === true;
  return hasFinalizer !== (canary.spec.revertOnDeletion === true);
}
