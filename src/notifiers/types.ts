// The notifiers family: chat services that receive canary alerts (Flagger's pkg/notifier).
import type { AlertSeverity, Canary } from '../api/canary.ts';

/** One line of an alert's detail table: Flagger's notifier.Field. */
export interface AlertField {
  name: string;
  value: string;
}

/** What one alert says; `workload` and `namespace` name the canary ("<workload>.<namespace>" in every payload). */
export interface Notification {
  workload: string;
  namespace: string;
  message: string;
  fields: readonly AlertField[];
  /** `error` turns the message red (danger) on every service. */
  severity: Exclude<AlertSeverity, ''>;
}

/** Sends alerts to the canary's alert providers (or the global notifier): what the scheduler alerts through. */
export interface Alerter {
  /** includeMetadata adds the target, analysis and traffic fields to the message, as Flagger's alert does. */
  alert(
    canary: Canary,
    message: string,
    includeMetadata: boolean,
    severity: Exclude<AlertSeverity, ''>,
  ): Promise<void>;
}

/** A chat service: Flagger's notifier.Interface. post() throws when the service did not accept the message. */
export interface Notifier {
  post(notification: Notification, signal?: AbortSignal): Promise<void>;
}

/** Flagger's alert timeout for every chat service. */
export const NOTIFIER_TIMEOUT_MS = 5_000;

/** How to reach one chat service. */
export interface NotifierOptions {
  /** The webhook (or API) URL. */
  address: string;
  /** Slack bot token, sent as `Authorization: Bearer <token>`; the other services ignore it, as in Flagger. */
  token?: string | undefined;
  /** HTTP(S) or SOCKS5 proxy URL. */
  proxy?: string | undefined;
  /** Bot user name (Slack, Discord, Rocket). */
  username: string;
  /** Channel (Slack, Discord, Rocket). */
  channel: string;
  /** Deadline of one post; NOTIFIER_TIMEOUT_MS by default. */
  timeoutMs?: number | undefined;
}

/** Builds a notifier; throws when the options are unusable (Flagger's constructor errors). */
export type NotifierFactory = (options: NotifierOptions) => Notifier;

/** Sends nothing: Flagger's NopNotifier, used when no notifier is configured. */
export const NOP_NOTIFIER: Notifier = { post: () => Promise.resolve() };
