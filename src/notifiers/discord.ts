// Discord, through its Slack-compatible endpoint: the Slack payload POSTed to "<webhook>/slack" (Flagger's
// discord.go, https://discord.com/developers/docs/resources/webhook#execute-slackcompatible-webhook).
import { posix } from 'node:path';
import { hookUrl } from './http.ts';
import { SLACK_COLORS, SlackCompatibleNotifier } from './slack.ts';
import type { Notifier, NotifierOptions } from './types.ts';

/** The webhook URL with "/slack" appended to its path, unless the address already ends with it. */
export function discordUrl(address: string): URL {
  const url = hookUrl('Discord', address);
  if (!address.endsWith('/slack')) url.pathname = posix.join(url.pathname, 'slack');
  return url;
}

export function discordNotifier(options: NotifierOptions): Notifier {
  return new SlackCompatibleNotifier(
    options,
    { service: 'discord', title: 'Discord', colors: SLACK_COLORS, sendsToken: false },
    discordUrl(options.address),
  );
}
