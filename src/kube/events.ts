// Kubernetes Events about our objects, written as client-go's recorder writes them: source component "flagger",
// and a repeat of the same event (object, type, reason, message) bumps count and lastTimestamp of the existing
// Event instead of creating a new one. Writing an event never fails the caller: a failed write is tried again in
// the background a few times (client-go's recorder retries too), with the event's original time, then logged.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeClient } from './client.ts';
import { isNotFound } from './errors.ts';
import type { CoreEvent, KubeObject } from './types.ts';
import { kubeNow } from '../util/time.ts';

export type EventType = 'Normal' | 'Warning';

interface SeenEvent {
  name: string;
  namespace: string;
  count: number;
}

const maxRemembered = 4096;
/** Background attempts after a failed write, 1s, 2s and 4s apart. */
const RETRIES = 3;

export class EventRecorder {
  private readonly client: KubeClient;
  private readonly logger: Logger;
  private readonly component: string;
  private readonly seen = new Map<string, SeenEvent>();

  constructor(client: KubeClient, logger: Logger, component = 'flagger') {
    this.client = client;
    this.logger = logger;
    this.component = component;
  }

  /** Records an event about obj. */
  async record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const meta = obj.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    const key = [meta.uid ?? `${namespace}/${meta.name ?? ''}`, type, reason, message].join('\u0000');
    const now = kubeNow();
    const write = async () => {
      const previous = this.seen.get(key);
      if (previous && (await this.bump(previous, now))) return;
      const created = await this.client.create<CoreEvent>(this.newEvent(obj, { type, reason, message }, now));
      this.remember(key, { name: created.metadata.name ?? '', namespace, count: 1 });
    };
    try {
      await write();
    } catch (err) {
      this.retryLater(write, reason, err, 1);
    }
  }

  private retryLater(write: () => Promise<void>, reason: string, err: unknown, attempt: number): void {
    if (attempt > RETRIES) {
      this.logger.warn({ err: (err as Error).message, reason }, 'could not write event');
      return;
    }
    const retry = () => write().catch((next: unknown) => this.retryLater(write, reason, next, attempt + 1));
    setTimeout(() => void retry(), 1000 * 2 ** (attempt - 1)).unref();
  }

  private async bump(previous: SeenEvent, now: string): Promise<boolean> {
    previous.count++;
    try {
      await this.client.patch(
        { apiVersion: 'v1', kind: 'Event', name: previous.name, namespace: previous.namespace },
        'merge',
        { count: previous.count, lastTimestamp: now },
      );
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private newEvent(
    obj: KubeObject,
    { type, reason, message }: { type: EventType; reason: string; message: string },
    now: string,
  ): CoreEvent {
    const meta = obj.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        // client-go names events <object>.<unique hex suffix>
        name: `${meta.name ?? 'object'}.${Date.now().toString(16)}${randomBytes(2).toString('hex')}`,
        namespace,
      },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
  }

  private remember(key: string, event: SeenEvent): void {
    if (this.seen.size >= maxRemembered) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.set(key, event);
  }
}
