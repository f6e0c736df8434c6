// Rocket.Chat: the Slack payload with hex attachment colors (Flagger's rocket.go).
import { SlackCompatibleNotifier, type AttachmentColors } from './slack.ts';
import type { Notifier, NotifierOptions } from './types.ts';

export const ROCKET_COLORS: AttachmentColors = ['#0076D7', '#FF0000'];

export function rocketNotifier(options: NotifierOptions): Notifier {
  return new SlackCompatibleNotifier(options, {
    service: 'rocket',
    title: 'Rocket',
    colors: ROCKET_COLORS,
    sendsToken: false,
  });
}
