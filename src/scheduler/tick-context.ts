// Everything one tick of one canary works with: the canary as last read or written, its plugins, and the
// helpers that record and change its status.
import type { Canary } from '../api/canary.ts';
import type { Router, Routes, ServiceRouter } from '../routers/types.ts';
import type { ScalerReconciler, TargetMetadata, WorkloadTarget } from '../targets/types.ts';
import { Gates } from './gates.ts';
import { mergeFields, type MetadataChange, type StatusChange } from './status.ts';
import { NO_TELEMETRY, type CanaryTelemetry, type Outcome } from './telemetry.ts';
import type { SchedulerDeps } from './types.ts';
import { deploymentStrategy } from '../api/defaults.ts';

export class TickContext {
  readonly deps: SchedulerDeps;
  readonly provider: string;
  readonly target: WorkloadTarget;
  readonly scaler: ScalerReconciler | undefined;
  readonly services: ServiceRouter;
  readonly gates: Gates;
  readonly telemetry: CanaryTelemetry;
  /** The canary as the API server last returned it; every status write refreshes it. */
  canary: Canary;
  metadata!: TargetMetadata;
  router!: Router;
  /** A warning was recorded: something to retry at the next interval. */
  warned = false;

  constructor(deps: SchedulerDeps, canary: Canary) {
    this.deps = deps;
    this.canary = canary;
    this.provider = canary.spec.provider ?? deps.meshProvider;
    this.target = deps.target(canary);
    this.scaler = deps.scaler(canary);
    this.services = deps.services(canary);
    this.gates = new Gates(deps.recorder, deps.status, deps.callHook);
    this.telemetry = deps.telemetry ?? NO_TELEMETRY;
    this.telemetry.setStatus(canary);
  }

  get phase(): string {
    return this.canary.status?.phase ?? '';
  }

  get isInitializing(): boolean {
    return this.phase === '' || this.phase === 'Initializing';
  }

  /** Applies status changes and continues with the stored result. */
  async write(...changes: StatusChange[]): Promise<void> {
    this.canary = await this.deps.status.apply(this.canary, ...changes);
    this.telemetry.setStatus(this.canary);
  }

  /** Changes the Canary's metadata and continues with the stored result. */
  async modify(change: MetadataChange): Promise<void> {
    this.canary = await this.deps.status.modifyMetadata(this.canary, change);
  }

  /** Sets the routes and persists what the router keeps in the status (session affinity cookies). */
  async setRoutes(routes: Routes): Promise<void> {
    const fields = await this.router.setRoutes(this.canary, routes);
    this.telemetry.setWeight(this.canary, routes.primaryWeight, routes.canaryWeight);
    if (Object.keys(fields).length > 0) await this.write(mergeFields(fields));
  }

  /** Counts a run's end in flagger_canary_successes_total or flagger_canary_failures_total. */
  countOutcome(result: Outcome['result'], analysis: Outcome['analysis'] = 'completed'): void {
    const strategy = deploymentStrategy(this.canary.spec.analysis, this.provider);
    this.telemetry.countOutcome(this.canary, { result, strategy, analysis });
  }

  info(message: string): Promise<void> {
    return this.deps.recorder.info(this.canary, message);
  }

  warn(message: string): Promise<void> {
    this.warned = true;
    return this.deps.recorder.warn(this.canary, message);
  }

  /** A copy of the canary in another phase, for events whose webhook payload must carry that phase. */
  inPhase(phase: 'Progressing' | 'Failed'): Canary {
    return { ...this.canary, status: { ...this.canary.status, phase } };
  }
}
