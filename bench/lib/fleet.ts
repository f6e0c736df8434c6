// The canaries of a benchmark: Deployments and Canaries created with bounded concurrency (100 per namespace), a
// watch on every Canary (an informer in this process) to see phases the moment the controller writes them, and
// releases (a new image in a target's pod template).
import type { Canary, CanaryAnalysis } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { Informer } from '../../src/kube/informer.ts';
import { objectKey, type Deployment } from '../../src/kube/types.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { waitFor } from '../../src/playground/process.ts';
import { inPool } from './stats.ts';

const PER_NAMESPACE = 100;
const CREATE_CONCURRENCY = 16;

export interface CanaryRef {
  namespace: string;
  name: string;
}

export interface GroupOptions {
  /** Names start with it: idle-00001, ... */
  prefix: string;
  count: number;
  /** Replicas of the target Deployment (0 for idle canaries: the primary still gets one pod). */
  replicas: number;
  analysis: CanaryAnalysis;
}

export const keyOf = (ref: CanaryRef): string => `${ref.namespace}/${ref.name}`;

/** Called with every phase a canary enters, when the watch delivers it. */
export type PhaseListener = (key: string, phase: string, at: number) => void;

/** Called with every version of every Canary the watch delivers. */
export type CanaryListener = (key: string, canary: Canary) => void;

export class Fleet {
  private readonly kube: KubeClient;
  private readonly informer: Informer<Canary>;
  private readonly listeners: PhaseListener[] = [];
  private readonly canaryListeners: CanaryListener[] = [];
  private readonly namespaces = new Set<string>();

  constructor(kube: KubeClient) {
    this.kube = kube;
    this.informer = new Informer<Canary>(kube, {
      apiVersion: API_VERSION,
      kind: 'Canary',
      logger: silentLogger(),
    });
    const notify = (canary: Canary, previous?: string) => {
      for (const listener of this.canaryListeners) listener(objectKey(canary), canary);
      const phase = canary.status?.phase;
      if (phase === undefined || phase === previous) return;
      const at = Date.now();
      for (const listener of this.listeners) listener(objectKey(canary), phase, at);
    };
    this.informer.addHandlers({
      onAdd: canary => notify(canary),
      onUpdate: (old, canary) => notify(canary, old.status?.phase),
    });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.synced;
  }

  stop(): void {
    this.informer.stop();
  }

  onPhase(listener: PhaseListener): void {
    this.listeners.push(listener);
  }

  onCanary(listener: CanaryListener): void {
    this.canaryListeners.push(listener);
  }

  phase(ref: CanaryRef): string | undefined {
    return this.informer.get(keyOf(ref))?.status?.phase;
  }

  /** Creates the Deployments and Canaries of a group. */
  async create(group: GroupOptions): Promise<CanaryRef[]> {
    const refs = Array.from({ length: group.count }, (_, i) => ({
      namespace: `bench-${group.prefix}-${Math.floor(i / PER_NAMESPACE)}`,
      name: `${group.prefix}-${String(i).padStart(5, '0')}`,
    }));
    for (const namespace of new Set(refs.map(ref => ref.namespace))) await this.ensureNamespace(namespace);
    await inPool(refs, CREATE_CONCURRENCY, async ref => {
      await this.kube.create(deployment(ref, group.replicas));
      await this.kube.create(canary(ref, group.analysis));
    });
    return refs;
  }

  /** Waits until every canary is in one of the phases. */
  async waitForPhase(
    refs: readonly CanaryRef[],
    phases: readonly string[],
    timeoutMs: number,
  ): Promise<void> {
    const inPhase = (canary?: Canary) => phases.includes(canary?.status?.phase ?? '');
    await this.waitUntil(refs, inPhase, phases.join('/'), timeoutMs);
  }

  /** Waits until test holds for every canary as last watched; `what` names the state in the timeout error. */
  async waitUntil(
    refs: readonly CanaryRef[],
    test: (canary?: Canary) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<void> {
    let pending = [...refs];
    await waitFor(
      () => {
        pending = pending.filter(ref => !test(this.informer.get(keyOf(ref))));
        return pending.length === 0;
      },
      timeoutMs,
      `canaries not ${what}`,
      () =>
        [
          `${pending.length} pending, e.g.`,
          ...pending.slice(0, 5).map(ref => `${keyOf(ref)}: ${this.phase(ref) ?? 'no phase'}`),
        ].join('\n'),
    );
  }

  /** A new revision: the target's container gets the image. Resolves when the API server has accepted it. */
  async release(ref: CanaryRef, image: string): Promise<void> {
    await this.kube.patch<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', ...ref }, 'strategic', {
      spec: { template: { spec: { containers: [{ name: 'app', image }] } } },
    });
  }

  private async ensureNamespace(name: string): Promise<void> {
    if (this.namespaces.has(name)) return;
    const ref = { apiVersion: 'v1', kind: 'Namespace', name };
    if (!(await this.kube.tryGet(ref))) await this.kube.create({ ...ref, metadata: { name } });
    this.namespaces.add(name);
  }
}

function deployment(ref: CanaryRef, replicas: number): Deployment {
  const labels = { app: ref.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...ref, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'app', image: 'bench/app:1', ports: [{ name: 'http', containerPort: 9898 }] }],
        },
      },
    },
  };
}

function canary(ref: CanaryRef, analysis: CanaryAnalysis): Canary {
  return {
    apiVersion: API_VERSION,
    kind: 'Canary',
    metadata: { ...ref },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: ref.name },
      // Generous: under load the fake kubelet may take a while to report pods ready.
      progressDeadlineSeconds: 3600,
      service: { port: 9898 },
      analysis,
    },
  };
}

/** The analysis of the benchmarks: blue/green iterations (the kubernetes provider has no traffic weights). */
export function iterationsAnalysis(
  interval: string,
  iterations: number,
  metrics: CanaryAnalysis['metrics'] = [],
): CanaryAnalysis {
  return { interval, threshold: 1, iterations, metrics };
}
