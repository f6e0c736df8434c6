// The scheduler's Alerter, as Flagger's alert() in pkg/controller/events.go: a canary without analysis.alerts
// alerts through the global notifier; otherwise every alert whose severity admits the event is sent to its
// AlertProvider, with the address and token of the provider's Secret. A failure of one alert is logged and never
// stops the others.
import type { AlertProvider } from '../api/alert-provider.ts';
import type { AlertSeverity, Canary, CanaryAlert } from '../api/canary.ts';
import { API_VERSION } from '../api/crds.ts';
import { alertChannel, alertSeverity, alertUsername } from '../api/defaults.ts';
import { decodeSecretData } from '../kube/secret-data.ts';
import type { KubeObject, ObjectRef, Secret } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { alertFields } from './fields.ts';
import { createNotifier } from './registry.ts';
import { applyTemplate, messageModel } from './template.ts';
import { NOP_NOTIFIER, type AlertField, type Alerter, type Notifier } from './types.ts';

type Severity = Exclude<AlertSeverity, ''>;

/** One alert as the scheduler raised it, with its fields. */
interface AlertEvent {
  canary: Canary;
  message: string;
  fields: readonly AlertField[];
  severity: Severity;
}

/** Reads one object; KubeClient satisfies it. */
export interface ObjectReader {
  get<T extends KubeObject>(ref: ObjectRef): Promise<T>;
}

export interface NotifierAlerterOptions {
  /** Reads AlertProviders and their Secrets (fresh reads, no cache). */
  kube: ObjectReader;
  /** The notifier of canaries without analysis.alerts (see globalNotifier); none by default. */
  global?: Notifier | undefined;
  /** -cluster-name: sent as the `Cluster` field of every alert. */
  clusterName?: string | undefined;
  /** Where failures and template errors are logged; with the canary bound, as Flagger logs them. */
  logger?: Logger | undefined;
  /** Deadline of one post (Flagger: 5s). */
  timeoutMs?: number | undefined;
}

/** What became of one destination of an alert. */
export interface AlertDelivery {
  /** The alert's name, or "global" for the global notifier. */
  alert: string;
  /** "<name>.<namespace>" of the AlertProvider. */
  provider?: string;
  sent: boolean;
  /** Why nothing was sent. */
  error?: string;
  /** The template failed: the default message was sent instead. */
  templateError?: string;
}

/**
 * Whether an alert with severity `wanted` receives an event of severity `event`: info receives everything, warn
 * receives warn and error, error receives only error. Quirk Q7 fixed: an empty severity means info (Flagger sends
 * nothing to such an alert, although its docs say info is the default).
 */
export function admits(wanted: CanaryAlert['severity'], event: Severity): boolean {
  switch (alertSeverity({ severity: wanted })) {
    case 'info':
      return true;
    case 'warn':
      return event === 'warn' || event === 'error';
    case 'error':
      return event === 'error';
  }
}

export class NotifierAlerter implements Alerter {
  private readonly options: NotifierAlerterOptions;

  constructor(options: NotifierAlerterOptions) {
    this.options = options;
  }

  /** Sends the alert and logs what could not be sent; never throws. */
  async alert(canary: Canary, message: string, includeMetadata: boolean, severity: Severity): Promise<void> {
    const deliveries = await this.deliver(canary, message, includeMetadata, severity);
    const logger = this.options.logger?.child({
      canary: `${canary.metadata.name ?? ''}.${canary.metadata.namespace ?? ''}`,
    });
    if (logger === undefined) return;
    for (const delivery of deliveries) {
      const where = delivery.provider === undefined ? '' : `alert provider ${delivery.provider} `;
      if (delivery.templateError !== undefined) {
        logger.warn(`${where}message template error, default message sent: ${delivery.templateError}`);
      }
      if (delivery.error !== undefined) {
        logger.error(
          delivery.provider === undefined
            ? `alert can't be sent: ${delivery.error}`
            : `${where}error: ${delivery.error}`,
        );
      }
    }
  }

  /** Sends the alert to every destination at once; one entry per destination the severity admits. */
  async deliver(
    canary: Canary,
    message: string,
    includeMetadata: boolean,
    severity: Severity,
  ): Promise<AlertDelivery[]> {
    const event: AlertEvent = {
      canary,
      message,
      fields: alertFields(canary, this.options.clusterName ?? '', includeMetadata),
      severity,
    };
    const alerts = canary.spec.analysis.alerts ?? [];
    if (alerts.length === 0) {
      return [await this.send({ alert: 'global', sent: false }, this.options.global ?? NOP_NOTIFIER, event)];
    }
    return Promise.all(
      alerts
        .filter(alert => admits(alert.severity, severity))
        .map(alert => this.sendToProvider(alert, event)),
    );
  }

  private async sendToProvider(alert: CanaryAlert, event: AlertEvent): Promise<AlertDelivery> {
    const namespace = alert.providerRef.namespace || (event.canary.metadata.namespace ?? '');
    const delivery: AlertDelivery = {
      alert: alert.name,
      provider: `${alert.providerRef.name}.${namespace}`,
      sent: false,
    };
    let provider: AlertProvider;
    let notifier: Notifier;
    try {
      provider = await this.options.kube.get<KubeObject & AlertProvider>({
        apiVersion: API_VERSION,
        kind: 'AlertProvider',
        name: alert.providerRef.name,
        namespace,
      });
      notifier = await this.notifierOf(provider, namespace);
    } catch (err) {
      return { ...delivery, error: errorText(err) };
    }
    return this.send(delivery, notifier, event, provider.spec.messageTemplate);
  }

  /**
   * The provider's notifier. With a secretRef, the Secret's `address` wins over spec.address and its `token` is
   * the Slack bot token. Extension: a Secret without `address` keeps spec.address (Flagger rejects it), and Slack
   * with a token and no address at all posts to chat.postMessage.
   */
  private async notifierOf(provider: AlertProvider, namespace: string): Promise<Notifier> {
    const { spec } = provider;
    let address = spec.address ?? '';
    let token: string | undefined;
    if (spec.secretRef !== undefined) {
      const secret = await this.options.kube
        .get<Secret>({ apiVersion: 'v1', kind: 'Secret', name: spec.secretRef.name, namespace })
        .catch((err: unknown) => {
          throw new Error(`secretRef error: ${errorText(err)}`, { cause: err });
        });
      const data = decodeSecretData(secret);
      address = data.address ?? address;
      token = data.token;
      if (address === '' && !(spec.type === 'slack' && token !== undefined)) {
        throw new Error('secret does not contain an address');
      }
    }
    return createNotifier(spec.type, {
      address,
      token,
      proxy: spec.proxy,
      username: alertUsername(spec),
      channel: alertChannel(spec),
      timeoutMs: this.options.timeoutMs,
    });
  }

  private async send(
    delivery: AlertDelivery,
    notifier: Notifier,
    event: AlertEvent,
    template?: string,
  ): Promise<AlertDelivery> {
    const { canary, severity } = event;
    const { message, error } = applyTemplate(template, messageModel(canary, event.message, severity));
    const result: AlertDelivery = {
      ...delivery,
      ...(error !== undefined && { templateError: error.message }),
    };
    try {
      await notifier.post({
        workload: canary.metadata.name ?? '',
        namespace: canary.metadata.namespace ?? '',
        message,
        fields: event.fields,
        severity,
      });
      return { ...result, sent: notifier !== NOP_NOTIFIER };
    } catch (err) {
      return { ...result, sent: false, error: errorText(err) };
    }
  }
}

/** Runs work in the background, in order per key: the runtime's DeliveryQueue. */
export interface BackgroundQueue {
  push(key: string, work: () => Promise<void>): void;
}

/**
 * `alerter` in the background: alert() returns at once and the alerts of one canary go out in order, on their
 * own lane (not behind its event webhooks). Flagger posts inline, so a chat service that hangs holds the
 * analysis up for the timeout of every alert; here it never slows a release.
 */
export function inBackground(alerter: Alerter, queue: BackgroundQueue): Alerter {
  return {
    alert(canary, message, includeMetadata, severity) {
      // The alert describes the canary as it is now, whatever happens to the object before it is sent.
      const snapshot = structuredClone(canary);
      const key = `alerts ${canary.metadata.namespace ?? ''}/${canary.metadata.name ?? ''}`;
      queue.push(key, () => alerter.alert(snapshot, message, includeMetadata, severity));
      return Promise.resolve();
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
