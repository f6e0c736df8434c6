// One call records what happened to a canary everywhere Flagger records it: a JSON log line bound to
// "canary": "<name>.<namespace>", a Kubernetes Event (reason Synced) and, when configured, the event webhook.
// Alerts go to the notifiers through the Alerter.
import type { AlertSeverity, Canary } from '../api/canary.ts';
import type { EventRecorder } from '../kube/events.ts';
import type { Logger } from '../logging/logger.ts';
import type { Alerter } from '../notifiers/types.ts';

/** Posts every event to -event-webhook. */
export type EventSink = (canary: Canary, eventType: 'Normal' | 'Warning', message: string) => Promise<void>;

export interface RecorderDeps {
  events: Pick<EventRecorder, 'record'>;
  logger: Logger;
  alerter: Alerter;
  eventSink?: EventSink;
}

export class CanaryRecorder {
  private readonly deps: RecorderDeps;

  constructor(deps: RecorderDeps) {
    this.deps = deps;
  }

  /** A child logger bound to the canary, as Flagger's logger.With("canary", "name.namespace"). */
  logger(canary: Pick<Canary, 'metadata'>): Logger {
    return this.deps.logger.child({ canary: canaryId(canary) });
  }

  async info(canary: Canary, message: string): Promise<void> {
    this.logger(canary).info(message);
    await this.record(canary, 'Normal', message);
  }

  /** Quirk Q20 fixed: Flagger logs warning events at info level; we log them as warnings. */
  async warn(canary: Canary, message: string): Promise<void> {
    this.logger(canary).warn(message);
    await this.record(canary, 'Warning', message);
  }

  async error(canary: Canary, message: string): Promise<void> {
    this.logger(canary).error(message);
    await this.record(canary, 'Warning', message);
  }

  async alert(
    canary: Canary,
    message: string,
    includeMetadata: boolean,
    severity: Exclude<AlertSeverity, ''>,
  ): Promise<void> {
    try {
      await this.deps.alerter.alert(canary, message, includeMetadata, severity);
    } catch (err) {
      this.logger(canary).error({ err: (err as Error).message }, 'alert could not be sent');
    }
  }

  private async record(canary: Canary, type: 'Normal' | 'Warning', message: string): Promise<void> {
    await this.deps.events.record(canary, type, 'Synced', message);
    if (this.deps.eventSink) {
      await this.deps.eventSink(canary, type, message).catch((err: unknown) => {
        this.logger(canary).error({ err: (err as Error).message }, 'event webhook failed');
      });
    }
  }
}

/** "<name>.<namespace>": how Flagger names a canary in logs and messages. */
export function canaryId(canary: Pick<Canary, 'metadata'>): string {
  return `${canary.metadata.name ?? ''}.${canary.metadata.namespace ?? ''}`;
}

/** "<target>.<namespace>". */
export function targetId(canary: Canary): string {
  return `${canary.spec.targetRef.name}.${canary.metadata.namespace ?? ''}`;
}
