import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discordUrl } from './discord.ts';
import { gchatPayload } from './gchat.ts';
import { globalNotifier, type GlobalNotifierOptions } from './global.ts';
import { goJson, hookUrl } from './http.ts';
import { msteamsPayload } from './msteams.ts';
import { createNotifier, NOTIFIERS } from './registry.ts';
import { ROCKET_COLORS } from './rocket.ts';
import { slackPayload } from './slack.ts';
import { NOP_NOTIFIER, type Notification } from './types.ts';

const notification: Notification = {
  workload: 'podinfo',
  namespace: 'test',
  message: 'New revision detected! Scaling up podinfo.test',
  fields: [
    { name: 'Target', value: 'Deployment/podinfo.test' },
    { name: 'Failed checks threshold', value: '5' },
  ],
  severity: 'info',
};
const failed: Notification = {
  ...notification,
  message: 'Canary analysis failed',
  fields: [],
  severity: 'error',
};
const channel = { channel: 'on-call', username: 'flagger' };

// The expected strings are what Go's encoding/json writes for Flagger's payload structs.
describe('Slack payload', () => {
  it('is Flagger SlackPayload, field for field', () => {
    assert.equal(
      goJson(slackPayload(notification, channel)),
      '{"channel":"on-call","username":"flagger","icon_url":"","icon_emoji":":rocket:","attachments":[{' +
        '"color":"good","author_name":"podinfo.test","text":"New revision detected! Scaling up podinfo.test",' +
        '"mrkdwn_in":["text"],"fields":[{"title":"Target","value":"Deployment/podinfo.test","short":false},' +
        '{"title":"Failed checks threshold","value":"5","short":false}]}]}',
    );
  });

  it('is danger on error, with an empty fields array', () => {
    assert.equal(
      goJson(slackPayload(failed, channel)),
      '{"channel":"on-call","username":"flagger","icon_url":"","icon_emoji":":rocket:","attachments":[{' +
        '"color":"danger","author_name":"podinfo.test","text":"Canary analysis failed","mrkdwn_in":["text"],' +
        '"fields":[]}]}',
    );
  });

  it('warn is not an error color', () => {
    const body = slackPayload({ ...failed, severity: 'warn' }, channel) as {
      attachments: { color: string }[];
    };
    assert.equal(body.attachments[0]?.color, 'good');
  });

  it('Rocket.Chat uses hex colors', () => {
    const info = goJson(slackPayload(notification, channel, ROCKET_COLORS));
    const error = goJson(slackPayload(failed, channel, ROCKET_COLORS));
    assert.match(info, /"color":"#0076D7"/);
    assert.match(error, /"color":"#FF0000"/);
  });
});

describe('MS Teams payload', () => {
  it('is a MessageCard', () => {
    assert.equal(
      goJson(msteamsPayload(notification)),
      '{"@type":"MessageCard","@context":"http://schema.org/extensions","themeColor":"0076D7",' +
        '"summary":"podinfo.test","sections":[{"activityTitle":"New revision detected! Scaling up podinfo.test",' +
        '"activitySubtitle":"podinfo.test","facts":[{"name":"Target","value":"Deployment/podinfo.test"},' +
        '{"name":"Failed checks threshold","value":"5"}]}]}',
    );
  });

  it('is red on error', () => {
    assert.equal(
      goJson(msteamsPayload(failed)),
      '{"@type":"MessageCard","@context":"http://schema.org/extensions","themeColor":"FF0000",' +
        '"summary":"podinfo.test","sections":[{"activityTitle":"Canary analysis failed",' +
        '"activitySubtitle":"podinfo.test","facts":[]}]}',
    );
  });
});

describe('Google Chat payload', () => {
  it('is a card with the message and one section per field, HTML-escaped as Go escapes it', () => {
    assert.equal(
      goJson(gchatPayload({ ...notification, fields: notification.fields.slice(0, 1) })),
      '{"cards":[{"header":{"title":"Flagger","subtitle":"podinfo.test",' +
        '"imageUrl":"https://flagger.app/favicon.png"},"sections":[' +
        '{"widgets":[{"textParagraph":{"text":"\\u003cfont color=#848484\\u003e\\u003cstrong\\u003e' +
        'New revision detected! Scaling up podinfo.test\\u003c/strong\\u003e\\u003c/font\\u003e"}}]},' +
        '{"widgets":[{"textParagraph":{"text":"Target\\u003cbr\\u003e\\u003cfont color=#848484\\u003e' +
        '\\u003cstrong\\u003eDeployment/podinfo.test\\u003c/strong\\u003e\\u003c/font\\u003e"}}]}]}]}',
    );
  });

  it('has no severity color', () => {
    assert.deepEqual(gchatPayload(failed), gchatPayload({ ...failed, severity: 'info' }));
  });
});

describe('goJson', () => {
  it("escapes like Go's encoder and parses back to the same value", () => {
    const value = { text: 'a<b>&c\u2028\u2029 "q" / é' };
    const json = goJson(value);
    assert.equal(json, '{"text":"a\\u003cb\\u003e\\u0026c\\u2028\\u2029 \\"q\\" / é"}');
    assert.deepEqual(JSON.parse(json), value);
  });
});

describe('URLs', () => {
  it('Discord gets /slack appended once', () => {
    assert.equal(
      discordUrl('https://discord.com/api/webhooks/1/abc').href,
      'https://discord.com/api/webhooks/1/abc/slack',
    );
    assert.equal(
      discordUrl('https://discord.com/api/webhooks/1/abc/').href,
      'https://discord.com/api/webhooks/1/abc/slack',
    );
    assert.equal(
      discordUrl('https://discord.com/api/webhooks/1/abc/slack').href,
      'https://discord.com/api/webhooks/1/abc/slack',
    );
    assert.equal(
      discordUrl('http://127.0.0.1:9/hook?wait=true').href,
      'http://127.0.0.1:9/hook/slack?wait=true',
    );
  });

  it('rejects what is not an http(s) URL, without echoing it', () => {
    assert.throws(() => hookUrl('Slack', 'hooks.slack.com/services/SECRET'), {
      message: 'invalid Slack hook URL',
    });
    assert.throws(() => hookUrl('Slack', 'ftp://hooks.slack.com'), /invalid Slack hook URL/);
  });
});

describe('createNotifier', () => {
  const base = { address: 'https://hooks.example.com/x', username: 'flagger', channel: 'general' };

  it('has a notifier for every AlertProvider type', () => {
    assert.deepEqual(Object.keys(NOTIFIERS).sort(), ['discord', 'gchat', 'msteams', 'rocket', 'slack']);
    for (const type of Object.keys(NOTIFIERS) as (keyof typeof NOTIFIERS)[]) {
      assert.notEqual(createNotifier(type, base), NOP_NOTIFIER, type);
    }
  });

  it('is the no-op notifier without an address', () => {
    assert.equal(createNotifier('msteams', { ...base, address: '' }), NOP_NOTIFIER);
    assert.equal(createNotifier('rocket', { ...base, address: '', token: 'xoxb' }), NOP_NOTIFIER);
  });

  it('Slack with a bot token and no address posts to chat.postMessage', () => {
    assert.notEqual(createNotifier('slack', { ...base, address: '', token: 'xoxb-1' }), NOP_NOTIFIER);
  });

  it("throws Flagger's constructor errors", () => {
    assert.throws(() => createNotifier('slack', { ...base, channel: '' }), /empty Slack channel/);
    assert.throws(() => createNotifier('discord', { ...base, username: '' }), /empty Discord username/);
    assert.throws(() => createNotifier('rocket', { ...base, channel: '' }), /empty Rocket channel/);
    assert.throws(
      () => createNotifier('msteams', { ...base, address: 'not a url' }),
      /invalid MS Teams hook URL/,
    );
    assert.throws(
      () => createNotifier('gchat', { ...base, proxy: 'ftp://proxy:21' }),
      /unable to parse proxy URL/,
    );
  });

  it('MS Teams and Google Chat need no channel or username', () => {
    assert.notEqual(createNotifier('msteams', { ...base, channel: '', username: '' }), NOP_NOTIFIER);
    assert.notEqual(createNotifier('gchat', { ...base, channel: '', username: '' }), NOP_NOTIFIER);
  });
});

describe('globalNotifier', () => {
  const none: GlobalNotifierOptions = {
    'slack-url': '',
    'slack-token': '',
    'slack-proxy-url': '',
    'slack-user': 'flagger',
    'slack-channel': '',
    'msteams-url': '',
    'msteams-proxy-url': '',
  };

  it('is the no-op notifier when nothing is set', () => {
    assert.deepEqual(globalNotifier(none), { notifier: NOP_NOTIFIER });
  });

  it('is Slack from -slack-url and -slack-channel', () => {
    const global = globalNotifier({
      ...none,
      'slack-url': 'https://hooks.slack.com/x',
      'slack-channel': 'ops',
    });
    assert.equal(global.provider, 'slack');
    assert.equal(global.error, undefined);
  });

  it("reports Flagger's error for a Slack hook without a channel and sends nothing", () => {
    const global = globalNotifier({ ...none, 'slack-url': 'https://hooks.slack.com/x' });
    assert.equal(global.notifier, NOP_NOTIFIER);
    assert.match(global.error?.message ?? '', /empty Slack channel/);
  });

  it('is MS Teams when -msteams-url is set, whatever the Slack flags say', () => {
    const global = globalNotifier({
      ...none,
      'slack-url': 'https://hooks.slack.com/x',
      'slack-channel': 'ops',
      'msteams-url': 'https://outlook.office.com/webhook/x',
    });
    assert.equal(global.provider, 'msteams');
  });

  it('is Slack chat.postMessage with only a bot token and a channel', () => {
    assert.equal(
      globalNotifier({ ...none, 'slack-token': 'xoxb-1', 'slack-channel': 'ops' }).provider,
      'slack',
    );
  });
});
