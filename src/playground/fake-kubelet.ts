// Stands in for the scheduler and the kubelet of one node: it registers a Ready node, binds unscheduled pods to
// it, reports them Running and Ready, and completes graceful deletions. The real replicaset, deployment and
// daemonset controllers then compute real availability and rollout status from those pods.
import type { Logger } from 'pino';
import type { KubeClient } from '../kube/client.ts';
import { isConflict, isNotFound } from '../kube/errors.ts';
import { Informer } from '../kube/informer.ts';
import { objectKey, type Node, type Pod } from '../kube/types.ts';
import { WorkQueue } from '../kube/workqueue.ts';
import { kubeNow } from '../util/time.ts';

export interface FakeKubeletOptions {
  nodeName?: string;
  /** Decides whether a pod's containers become ready; all do unless told otherwise. */
  isReady?: (pod: Pod) => boolean;
  logger: Logger;
}

/** Pods with this annotation set to "false" never become ready: how tests and the demo make a release fail. */
export const readyAnnotation = 'playground.flagger.app/ready';

export class FakeKubelet {
  readonly nodeName: string;
  private readonly client: KubeClient;
  private readonly informer: Informer<Pod>;
  private readonly queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 5_000 });
  private readonly options: FakeKubeletOptions;
  private nextIp = 1;
  private readonly podIps = new Map<string, string>();

  constructor(client: KubeClient, options: FakeKubeletOptions) {
    this.client = client;
    this.options = options;
    this.nodeName = options.nodeName ?? 'playground-node';
    this.informer = new Informer<Pod>(client, { apiVersion: 'v1', kind: 'Pod', logger: options.logger });
    this.informer.addHandlers({
      onAdd: pod => this.queue.add(objectKey(pod)),
      onUpdate: (_, pod) => this.queue.add(objectKey(pod)),
      onDelete: pod => this.podIps.delete(objectKey(pod)),
    });
  }

  async start(): Promise<void> {
    await this.registerNode();
    this.informer.start();
    void this.queue.run(
      2,
      key => this.sync(key),
      (key, err) =>
        this.options.logger.debug({ pod: key, err: (err as Error).message }, 'fake kubelet retry'),
    );
    await this.informer.synced;
  }

  stop(): void {
    this.informer.stop();
    this.queue.shutdown();
  }

  private async registerNode(): Promise<void> {
    const ref = { apiVersion: 'v1', kind: 'Node', name: this.nodeName };
    if (!(await this.client.tryGet<Node>(ref))) {
      await this.client.create<Node>({ apiVersion: 'v1', kind: 'Node', metadata: { name: this.nodeName } });
    }
    const capacity = { cpu: '64', memory: '256Gi', pods: '1000' };
    await this.client.modify<Node>(
      ref,
      node => {
        node.status = {
          capacity,
          allocatable: capacity,
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
          conditions: [
            { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'fake kubelet is ready' },
          ],
        };
        return true;
      },
      { status: true },
    );
    // Admission taints new nodes not-ready; node lifecycle (not run here) would lift it once the node is Ready.
    await this.client.modify<Node>(ref, node => {
      if (!node.spec?.taints?.length) return false;
      node.spec.taints = [];
      return true;
    });
  }

  private async sync(key: string): Promise<void> {
    const pod = this.informer.get(key);
    if (!pod?.metadata?.name) return;
    const ref = { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace };
    try {
      if (pod.metadata.deletionTimestamp) {
        await this.client.delete(ref, { gracePeriodSeconds: 0 });
      } else if (!pod.spec?.nodeName) {
        await this.client.create({
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
          target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName },
        });
      } else if (pod.spec.nodeName === this.nodeName && pod.status?.phase !== 'Running') {
        await this.client.modify<Pod>(ref, p => this.markRunning(p), { status: true });
      }
    } catch (err) {
      // The pod changed or went away meanwhile; the informer brings the next version.
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }

  private markRunning(pod: Pod): boolean {
    const now = kubeNow();
    const ready = this.isReady(pod) ? 'True' : 'False';
    const condition = (type: string, status: string) => ({ type, status, lastTransitionTime: now });
    pod.status = {
      phase: 'Running',
      hostIP: '127.0.0.1',
      podIP: this.podIp(objectKey(pod)),
      startTime: now,
      conditions: [
        condition('PodScheduled', 'True'),
        condition('Initialized', 'True'),
        condition('ContainersReady', ready),
        condition('Ready', ready),
      ],
      containerStatuses: (pod.spec?.containers ?? []).map(c => ({
        name: c.name,
        image: c.image ?? '',
        imageID: c.image ?? '',
        ready: ready === 'True',
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      })),
    };
    return true;
  }

  private isReady(pod: Pod): boolean {
    if (pod.metadata?.annotations?.[readyAnnotation] === 'false') return false;
    return this.options.isReady?.(pod) ?? true;
  }

  private podIp(key: string): string {
    let ip = this.podIps.get(key);
    if (!ip) {
      const n = this.nextIp++;
      ip = `10.244.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
      this.podIps.set(key, ip);
    }
    return ip;
  }
}
