// Slack (incoming webhook or bot token) and the Slack-compatible payload that Discord and Rocket.Chat also take
// (Flagger's slack.go, discord.go and rocket.go).
import type { Dispatcher } from 'undici';
import { field } from '../util/http.ts';
import { hookUrl, postMessage, proxyDispatcher } from './http.ts';
import type { Notification, Notifier, NotifierOptions } from './types.ts';

/** Where a bot token posts: Slack's Web API method chat.postMessage. */
export const SLACK_API_POST_MESSAGE_URL = 'https://slack.com/api/chat.postMessage';

/** The attachment colors of one service: [info and warn, error]. */
export type AttachmentColors = readonly [ok: string, error: string];

/** Slack's named colors; Rocket.Chat wants hex ones. */
export const SLACK_COLORS: AttachmentColors = ['good', 'danger'];

/**
 * Flagger's SlackPayload, keys in its struct order. `text` is left out (Go's omitempty on an empty string),
 * `icon_url` is always sent empty and `fields` is `[]` when there are none.
 */
export function slackPayload(
  notification: Notification,
  options: Pick<NotifierOptions, 'channel' | 'username'>,
  colors: AttachmentColors = SLACK_COLORS,
): object {
  return {
    channel: options.channel,
    username: options.username,
    icon_url: '',
    icon_emoji: ':rocket:',
    attachments: [
      {
        color: notification.severity === 'error' ? colors[1] : colors[0],
        author_name: `${notification.workload}.${notification.namespace}`,
        text: notification.message,
        mrkdwn_in: ['text'],
        fields: notification.fields.map(f => ({ title: f.name, value: f.value, short: false })),
      },
    ],
  };
}

/** How one Slack-compatible service differs: its name in errors, its colors and whether it sends the token. */
export interface SlackFlavour {
  /** Lower-case name, used in post errors. */
  service: string;
  /** Capitalised name, used in constructor errors ("empty Slack channel"). */
  title: string;
  colors: AttachmentColors;
  /** Only Slack sends the bot token; Flagger gives it to the others too, and they ignore it. */
  sendsToken: boolean;
}

const SLACK: SlackFlavour = { service: 'slack', title: 'Slack', colors: SLACK_COLORS, sendsToken: true };

/** A service that takes Slack's payload. Throws on an invalid URL, an empty username or an empty channel. */
export class SlackCompatibleNotifier implements Notifier {
  private readonly flavour: SlackFlavour;
  private readonly url: URL;
  private readonly options: NotifierOptions;
  private readonly dispatcher: Dispatcher | undefined;

  constructor(options: NotifierOptions, flavour: SlackFlavour = SLACK, url?: URL) {
    this.flavour = flavour;
    this.url = url ?? hookUrl(flavour.title, options.address);
    if (options.username === '') throw new Error(`empty ${flavour.title} username`);
    if (options.channel === '') throw new Error(`empty ${flavour.title} channel`);
    this.options = options;
    this.dispatcher = proxyDispatcher(options.proxy);
  }

  /** The exact body this notifier sends. */
  payload(notification: Notification): object {
    return slackPayload(notification, this.options, this.flavour.colors);
  }

  async post(notification: Notification, signal?: AbortSignal): Promise<void> {
    const token = this.flavour.sendsToken ? this.options.token : undefined;
    const body = await postMessage({
      service: this.flavour.service,
      url: this.url,
      payload: this.payload(notification),
      token,
      dispatcher: this.dispatcher,
      timeoutMs: this.options.timeoutMs,
      signal,
    });
    if (token !== undefined && token !== '') checkWebApiAnswer(this.flavour.service, body);
  }
}

/**
 * Slack's Web API answers 200 with {"ok": false, "error": "channel_not_found"} when it refuses a message; Flagger
 * reports that as sent. We report it as an error. Incoming webhooks answer plain text, which passes.
 */
function checkWebApiAnswer(service: string, body: string): void {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return;
  }
  if (field(answer, 'ok') === false) {
    const reason = field(answer, 'error');
    throw new Error(`${service} error response: ${typeof reason === 'string' ? reason : body}`);
  }
}

/**
 * Slack: an incoming webhook, or with a bot token, chat.postMessage with `Authorization: Bearer <token>` (the
 * address is then SLACK_API_POST_MESSAGE_URL unless another one is given, e.g. a Slack-compatible server).
 */
export function slackNotifier(options: NotifierOptions): Notifier {
  return new SlackCompatibleNotifier(options, SLACK);
}
