// `flagger describe NAME`: one canary in full: its spec in short, where its release is, the decision record
// (status.metricChecks), its conditions, recent events and the objects the controller generates for it.
import type { Canary, CanaryCondition, CanaryMetricCheck } from '../../api/canary.ts';
import { serviceNames } from '../../api/defaults.ts';
import type { KubeClient } from '../../kube/client.ts';
import type {
  CoreEvent,
  DaemonSet,
  Deployment,
  HorizontalPodAutoscaler,
  KubeObject,
  Service,
} from '../../kube/types.ts';
import {
  CLUSTER_OPTIONS,
  colorsFor,
  connectCluster,
  getCanary,
  helpRequested,
  nowOf,
  outputFormat,
  OUTPUT_OPTION,
  parseCommandArgs,
  println,
  printStructured,
  run,
  singleName,
  terminalWidth,
  UsageError,
  type Io,
} from './common.ts';
import { renderDescription } from './describe-render.ts';
import { computePlan, currentTick, type Plan } from './timeline.ts';
import { isKnativeService } from '../../api/knative.ts';

export const DESCRIBE_USAGE = `usage: flagger describe NAME [-n NAMESPACE] [-o table|json|yaml] [--events N]
  --events N             recent events to show (default 20)
  --mesh-provider NAME   the controller's -mesh-provider, for canaries without spec.provider (default istio)`;

const OPTIONS = {
  ...CLUSTER_OPTIONS,
  ...OUTPUT_OPTION,
  events: { type: 'string' },
  'mesh-provider': { type: 'string' },
} as const;

/** The conditions describe always reports, present or not. */
const CONDITIONS = ['Promoted', 'Validated', 'MetricsVerified'];

export interface GeneratedObject {
  kind: string;
  name: string;
  role: string;
  exists: boolean;
  state: string;
}

export interface EventLine {
  type: string;
  reason: string;
  message: string;
  count: number;
  lastSeen: string;
}

export interface Description {
  name: string;
  namespace: string;
  plan: Plan;
  current?: string;
  requests: Record<string, string>;
  canary: Canary;
  conditions: (CanaryCondition | { type: string; status: 'absent'; meaning: string })[];
  metricChecks: CanaryMetricCheck[];
  events: EventLine[];
  objects: GeneratedObject[];
}

export async function runDescribe(args: string[], io: Io): Promise<number> {
  return run(io, DESCRIBE_USAGE, async () => {
    const { values, positionals } = parseCommandArgs(args, OPTIONS);
    if (helpRequested(io, values, DESCRIBE_USAGE)) return 0;
    const name = singleName(positionals);
    const format = outputFormat(values.output);
    const events = Number(values.events ?? '20');
    if (!Number.isInteger(events) || events < 0) throw new UsageError('--events takes a whole number');
    const { client, namespace } = connectCluster(values);
    const canary = await getCanary(client, namespace, name);
    const description = await describeCanary(client, canary, {
      meshProvider: values['mesh-provider'] ?? 'istio',
      events,
    });
    if (format !== 'table') printStructured(io, format, description);
    else {
      const colors = colorsFor(io.out, io.env);
      const lines = renderDescription(description, { colors, width: terminalWidth(io.out), now: nowOf(io) });
      for (const line of lines) println(io.out, line);
    }
    return 0;
  });
}

/** Reads what a description needs besides the canary: events and the generated objects. */
export async function describeCanary(
  client: KubeClient,
  canary: Canary,
  options: { meshProvider: string; events: number },
): Promise<Description> {
  const namespace = canary.metadata.namespace ?? 'default';
  const name = canary.metadata.name ?? '';
  const plan = computePlan(canary, { meshProvider: options.meshProvider });
  const requests = Object.fromEntries(
    Object.entries(canary.metadata.annotations ?? {}).filter(
      ([key]) => key.startsWith('flagger.app/') && key !== 'flagger.app/primary-revision',
    ),
  );
  const [events, objects] = await Promise.all([
    recentEvents(client, canary, options.events),
    generatedObjects(client, canary),
  ]);
  const current = currentStep(plan, canary);
  return {
    name,
    namespace,
    plan,
    ...(current !== undefined && { current }),
    requests,
    canary,
    conditions: conditionsOf(canary),
    metricChecks: canary.status?.metricChecks ?? [],
    events,
    objects,
  };
}

/** The conditions, with the ones describe always reports said to be absent when they are. */
function conditionsOf(canary: Canary): Description['conditions'] {
  const present = canary.status?.conditions ?? [];
  const absent = CONDITIONS.filter(type => !present.some(c => c.type === type)).map(type => ({
    type,
    status: 'absent' as const,
    meaning:
      type === 'Validated'
        ? canary.status === undefined
          ? 'the controller has not seen the canary yet'
          : 'the spec passed validation'
        : type === 'MetricsVerified'
          ? 'no metric query verified yet (or no metrics)'
          : 'not initialized yet',
  }));
  return [...present, ...absent];
}

/** Where the release is, in words: "step 2 of 3 (canary weight 40)". */
export function currentStep(plan: Plan, canary: Canary): string | undefined {
  const tick = currentTick(plan, canary.status);
  if (tick === undefined) return undefined;
  const unit = plan.strategy === 'canary' ? 'step' : 'iteration';
  if (tick.step !== undefined) {
    const detail = plan.strategy === 'canary' ? ` (canary weight ${tick.routes.canaryWeight})` : '';
    return `${unit} ${tick.step} of ${plan.steps}${detail}`;
  }
  switch (tick.action) {
    case 'start':
      return `starting: the first ${unit} comes at the next tick`;
    case 'switch':
    case 'promote':
      return canary.status?.phase === 'WaitingPromotion'
        ? 'analysis done: waiting for confirm-promotion'
        : 'analysis done: the primary is being updated';
    default:
      return 'promotion: traffic goes back to the primary';
  }
}

/** The canary's events, newest last. */
async function recentEvents(client: KubeClient, canary: Canary, limit: number): Promise<EventLine[]> {
  if (limit === 0) return [];
  const name = canary.metadata.name ?? '';
  const list = await client.list<CoreEvent>('v1', 'Event', {
    namespace: canary.metadata.namespace ?? 'default',
    fieldSelector: `involvedObject.kind=Canary,involvedObject.name=${name}`,
  });
  const uid = canary.metadata.uid;
  const when = (e: CoreEvent) =>
    e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
  return list.items
    .filter(e => uid === undefined || e.involvedObject.uid === undefined || e.involvedObject.uid === uid)
    .sort(
      (a, b) =>
        when(a).localeCompare(when(b)) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    )
    .slice(-limit)
    .map(e => ({
      type: e.type ?? '',
      reason: e.reason ?? '',
      message: e.message ?? '',
      count: e.count ?? 1,
      lastSeen: when(e),
    }));
}

interface Wanted {
  apiVersion: string;
  kind: string;
  name: string;
  role: string;
}

/** The objects the controller makes for the canary (and its target), each looked up. */
async function generatedObjects(client: KubeClient, canary: Canary): Promise<GeneratedObject[]> {
  const { targetRef, autoscalerRef } = canary.spec;
  const namespace = canary.metadata.namespace ?? 'default';
  const knative = isKnativeService(targetRef);
  const wanted: Wanted[] = [{ ...targetRef, role: 'target' }];
  if (!knative) {
    wanted.push({ ...targetRef, name: `${targetRef.name}-primary`, role: 'primary' });
    const services = serviceNames(canary.spec);
    wanted.push(
      { apiVersion: 'v1', kind: 'Service', name: services.apex, role: 'apex service' },
      { apiVersion: 'v1', kind: 'Service', name: services.primary, role: 'primary service' },
      { apiVersion: 'v1', kind: 'Service', name: services.canary, role: 'canary service' },
    );
  }
  if (autoscalerRef !== undefined) {
    wanted.push({ ...autoscalerRef, name: `${autoscalerRef.name}-primary`, role: 'primary autoscaler' });
  }
  const unique = wanted.filter((w, i) => wanted.findIndex(o => o.kind === w.kind && o.name === w.name) === i);
  return Promise.all(
    unique.map(async w => {
      let object: KubeObject | undefined;
      let state: string;
      try {
        object = await client.tryGet<KubeObject>({ ...w, namespace });
        state = object === undefined ? 'not found' : stateOf(object);
      } catch (err) {
        state = `cannot read: ${(err as Error).message}`;
      }
      return { kind: w.kind, name: w.name, role: w.role, exists: object !== undefined, state };
    }),
  );
}

/** A short state of a generated object: ready replicas, selector, autoscaling range. */
export function stateOf(object: KubeObject): string {
  const describeKind: Record<string, (o: KubeObject) => string> = {
    Deployment: o => {
      const { spec, status } = o as Deployment;
      return `${status?.readyReplicas ?? 0}/${spec?.replicas ?? 1} ready`;
    },
    DaemonSet: o => {
      const { status } = o as DaemonSet;
      return `${status?.numberReady ?? 0}/${status?.desiredNumberScheduled ?? 0} ready`;
    },
    Service: o => {
      const pairs = Object.entries((o as Service).spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`);
      return pairs.length === 0 ? 'no selector' : `selector ${pairs.join(',')}`;
    },
    HorizontalPodAutoscaler: o => {
      const { spec } = o as HorizontalPodAutoscaler;
      return `replicas ${spec.minReplicas ?? 1}-${spec.maxReplicas}`;
    },
  };
  return describeKind[object.kind ?? '']?.(object) ?? 'exists';
}
