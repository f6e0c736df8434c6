// Google Chat: a card with the message and one section per field (Flagger's gchat.go).
import { hookUrl, postMessage, proxyDispatcher } from './http.ts';
import type { Notification, Notifier, NotifierOptions } from './types.ts';

const textSection = (text: string) => ({ widgets: [{ textParagraph: { text } }] });

/**
 * Flagger's GChatPayload: the message in grey bold, then "Name<br>" and the value in grey bold per field. The
 * severity does not change anything. Text is inserted as is, as Flagger does (Google Chat reads it as HTML).
 */
export function gchatPayload(notification: Notification): object {
  return {
    cards: [
      {
        header: {
          title: 'Flagger',
          subtitle: `${notification.workload}.${notification.namespace}`,
          imageUrl: 'https://flagger.app/favicon.png',
        },
        sections: [
          textSection(`<font color=#848484><strong>${notification.message}</strong></font>`),
          ...notification.fields.map(f =>
            textSection(`${f.name}<br><font color=#848484><strong>${f.value}</strong></font>`),
          ),
        ],
      },
    ],
  };
}

/** Throws on an invalid URL; the channel, username and token do not apply. */
export function gchatNotifier(options: NotifierOptions): Notifier {
  const url = hookUrl('Google Chat', options.address);
  const dispatcher = proxyDispatcher(options.proxy);
  return {
    post: async (notification, signal) => {
      await postMessage({
        service: 'gchat',
        url,
        payload: gchatPayload(notification),
        dispatcher,
        timeoutMs: options.timeoutMs,
        signal,
      });
    },
  };
}
