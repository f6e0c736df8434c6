// The global notifier from Flagger's flags (cmd/flagger/main.go initNotifier): Slack from -slack-*, or MS Teams
// when -msteams-url is set. It receives the alerts of every canary that has no analysis.alerts.
import { createNotifier } from './registry.ts';
import { NOP_NOTIFIER, type Notifier } from './types.ts';

/**
 * The flags, after their environment overrides (SLACK_URL, SLACK_TOKEN, SLACK_PROXY_URL, MSTEAMS_URL,
 * MSTEAMS_PROXY_URL) are applied. The keys are the flag names, so the parsed flags can be passed as they are.
 */
export interface GlobalNotifierOptions {
  'slack-url': string;
  'slack-token': string;
  'slack-proxy-url': string;
  'slack-user': string;
  'slack-channel': string;
  'msteams-url': string;
  'msteams-proxy-url': string;
}

export interface GlobalNotifier {
  notifier: Notifier;
  /** The service alerts go to; undefined when nothing is configured (or the configuration is unusable). */
  provider?: 'slack' | 'msteams';
  /** Why the configuration is unusable (e.g. "empty Slack channel"): Flagger logs it and sends nothing. */
  error?: Error;
}

export function globalNotifier(options: GlobalNotifierOptions, timeoutMs?: number): GlobalNotifier {
  const msteams = options['msteams-url'] !== '';
  const provider = msteams ? 'msteams' : 'slack';
  const address = msteams ? options['msteams-url'] : options['slack-url'];
  try {
    const notifier = createNotifier(provider, {
      address,
      token: options['slack-token'],
      proxy: msteams ? options['msteams-proxy-url'] : options['slack-proxy-url'],
      username: options['slack-user'],
      channel: options['slack-channel'],
      timeoutMs,
    });
    return notifier === NOP_NOTIFIER ? { notifier } : { notifier, provider };
  } catch (err) {
    return { notifier: NOP_NOTIFIER, error: err instanceof Error ? err : new Error(String(err)) };
  }
}
