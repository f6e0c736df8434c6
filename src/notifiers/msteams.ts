// Microsoft Teams: an Office 365 connector MessageCard (Flagger's teams.go).
import { hookUrl, postMessage, proxyDispatcher } from './http.ts';
import type { Notification, Notifier, NotifierOptions } from './types.ts';

/** Flagger's MSTeamsPayload, keys in its struct order; `facts` is `[]` when there are no fields. */
export function msteamsPayload(notification: Notification): object {
  const id = `${notification.workload}.${notification.namespace}`;
  return {
    '@type': 'MessageCard',
    '@context': 'http://schema.org/extensions',
    themeColor: notification.severity === 'error' ? 'FF0000' : '0076D7',
    summary: id,
    sections: [
      {
        activityTitle: notification.message,
        activitySubtitle: id,
        facts: notification.fields.map(f => ({ name: f.name, value: f.value })),
      },
    ],
  };
}

/** Throws on an invalid URL; the channel, username and token do not apply. */
export function msteamsNotifier(options: NotifierOptions): Notifier {
  const url = hookUrl('MS Teams', options.address);
  const dispatcher = proxyDispatcher(options.proxy);
  return {
    post: async (notification, signal) => {
      await postMessage({
        service: 'msteams',
        url,
        payload: msteamsPayload(notification),
        dispatcher,
        timeoutMs: options.timeoutMs,
        signal,
      });
    },
  };
}
