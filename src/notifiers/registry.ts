// Notifiers by AlertProvider type. The schema rejects an unknown type and the compiler checks that every type
// has a notifier.
import type { AlertProviderType } from '../api/alert-provider.ts';
import { discordNotifier } from './discord.ts';
import { gchatNotifier } from './gchat.ts';
import { msteamsNotifier } from './msteams.ts';
import { rocketNotifier } from './rocket.ts';
import { SLACK_API_POST_MESSAGE_URL, slackNotifier } from './slack.ts';
import { NOP_NOTIFIER, type Notifier, type NotifierFactory, type NotifierOptions } from './types.ts';

export const NOTIFIERS: Record<AlertProviderType, NotifierFactory> = {
  slack: slackNotifier,
  msteams: msteamsNotifier,
  discord: discordNotifier,
  rocket: rocketNotifier,
  gchat: gchatNotifier,
};

/**
 * The notifier of one provider (Flagger's notifier.Factory). No address means nothing to send to: the no-op
 * notifier. Extension: Slack with a bot token and no address posts to chat.postMessage (Flagger sends nothing).
 * Throws when the options are unusable (invalid URL or proxy, empty channel or username where one is needed);
 * Flagger then logs the error and sends nothing, which is what a caller that logs the error gets here.
 */
export function createNotifier(type: AlertProviderType, options: NotifierOptions): Notifier {
  const withToken = type === 'slack' && options.token !== undefined && options.token !== '';
  const address = options.address !== '' ? options.address : withToken ? SLACK_API_POST_MESSAGE_URL : '';
  if (address === '') return NOP_NOTIFIER;
  return NOTIFIERS[type]({ ...options, address });
}
