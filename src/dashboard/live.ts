// One shared watch of the Canary kind for every open page: the cache the views are answered from, the weight
// history of each canary (the "weights over time" chart), and a change signal that open pages are told about
// within a second, however many they are.
import type { Logger } from 'pino';
import type { Canary } from '../api/canary.ts';
import { API_VERSION } from '../api/crds.ts';
import type { KubeClient } from '../kube/client.ts';
import { Informer } from '../kube/informer.ts';
import { namespacedKey, objectKey } from '../kube/types.ts';

export interface WeightPoint {
  /** ISO time the weight was seen. */
  at: string;
  weight: number;
  phase: string;
}

/** Points kept per canary: a few releases' worth. */
const HISTORY = 240;
/** Changes that come together (a tick writes status, then annotations) reach pages as one update. */
const BATCH_MS = 150;

export class CanaryFeed {
  private readonly informer: Informer<Canary>;
  private readonly history = new Map<string, WeightPoint[]>();
  private readonly listeners = new Set<() => void>();
  private pending: NodeJS.Timeout | undefined;

  constructor(client: KubeClient, logger: Logger) {
    this.informer = new Informer<Canary>(client, { apiVersion: API_VERSION, kind: 'Canary', logger });
    this.informer.addHandlers({
      onAdd: canary => this.changed(canary),
      onUpdate: (_, canary) => this.changed(canary),
      onDelete: canary => {
        this.history.delete(objectKey(canary));
        this.changed();
      },
    });
  }

  /** Starts watching; resolves once the first list is in the cache. */
  async start(): Promise<void> {
    this.informer.start();
    await this.informer.synced;
  }

  stop(): void {
    this.informer.stop();
    clearTimeout(this.pending);
    this.listeners.clear();
  }

  canaries(): Canary[] {
    return this.informer.list();
  }

  canary(namespace: string, name: string): Canary | undefined {
    return this.informer.get(namespacedKey(namespace, name));
  }

  weights(namespace: string, name: string): WeightPoint[] {
    return this.history.get(namespacedKey(namespace, name)) ?? [];
  }

  /** Calls listener after every batch of changes; returns the function that stops it. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(canary?: Canary): void {
    if (canary !== undefined) this.record(canary);
    if (this.pending !== undefined) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      for (const listener of this.listeners) listener();
    }, BATCH_MS);
  }

  /** A point for each change of weight or phase. */
  private record(canary: Canary): void {
    const key = objectKey(canary);
    const points = this.history.get(key) ?? [];
    const weight = canary.status?.canaryWeight ?? 0;
    const phase = canary.status?.phase || 'Initializing';
    const last = points.at(-1);
    if (last !== undefined && last.weight === weight && last.phase === phase) return;
    points.push({ at: new Date().toISOString(), weight, phase });
    if (points.length > HISTORY) points.splice(0, points.length - HISTORY);
    this.history.set(key, points);
  }
}
