// Alerts end to end: AlertProviders and Secrets on a real control plane, chat receivers and a proxy on 127.0.0.1.
// Every body is compared byte for byte with what Flagger's Go encoder writes for the same alert.
import assert from 'node:assert/strict';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AlertProviderSpec } from '../../src/api/alert-provider.ts';
import type { Canary, CanaryAlert, CanaryAnalysis } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import { NotifierAlerter, type NotifierAlerterOptions } from '../../src/notifiers/alerter.ts';
import { globalNotifier, type GlobalNotifierOptions } from '../../src/notifiers/global.ts';
import { closeProxyDispatchers } from '../../src/notifiers/http.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { useCluster } from '../harness/cluster.ts';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Answer = (res: ServerResponse) => void;

/** A chat service on 127.0.0.1: records every request, answers 200 "ok" unless a path is told otherwise. */
class Receiver {
  readonly received: Received[] = [];
  readonly answers = new Map<string, Answer>();
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '';
        this.received.push({
          method: req.method ?? '',
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const answer = this.answers.get(path);
        if (answer) answer(res);
        else res.writeHead(200).end('ok');
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>(resolve => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  to(path: string): Received[] {
    return this.received.filter(r => r.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}

/** A forwarding HTTP proxy on 127.0.0.1 that records the target of every request it carries. */
class Proxy {
  readonly forwarded: string[] = [];
  private readonly server: Server;
  private readonly tunnels = new Set<Socket>();
  url = '';

  constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      this.forwarded.push(req.url ?? '');
      const upstream = httpRequest(req.url ?? '', { method: req.method, headers: req.headers }, answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    this.server.on('connect', (req: IncomingMessage, client: Socket) => {
      this.forwarded.push(`CONNECT ${req.url ?? ''}`);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = netConnect(Number(port), host ?? '', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      this.tunnels.add(upstream).add(client);
      upstream.on('error', () => client.destroy());
    });
  }

  async start(): Promise<this> {
    await new Promise<void>(resolve => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.tunnels) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}

const CLUSTER_NAME = 'test-cluster';
const MESSAGE = 'Canary analysis failed, <b>rollback</b> & retry';

function canaryIn(namespace: string, alerts: CanaryAlert[], analysis: Partial<CanaryAnalysis> = {}): Canary {
  return {
    apiVersion: API_VERSION,
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898 },
      progressDeadlineSeconds: 60,
      analysis: { interval: '1m', threshold: 5, stepWeight: 10, maxWeight: 50, alerts, ...analysis },
    },
    status: { phase: 'Failed', canaryWeight: 0, failedChecks: 5 },
  };
}

const alertTo = (name: string, severity?: CanaryAlert['severity'], namespace?: string): CanaryAlert => ({
  name: `${name} alert`,
  ...(severity !== undefined && { severity }),
  providerRef: { name, ...(namespace !== undefined && { namespace }) },
});

// What Flagger sends for MESSAGE with -cluster-name=test-cluster and metadata, severity error, canary
// podinfo.<ns>: Go's encoder escapes <, > and & as \u003c, \u003e and \u0026.
const GO_MESSAGE = 'Canary analysis failed, \\u003cb\\u003erollback\\u003c/b\\u003e \\u0026 retry';
const FIELDS: [string, (ns: string) => string][] = [
  ['Cluster', () => CLUSTER_NAME],
  ['Target', ns => `Deployment/podinfo.${ns}`],
  ['Failed checks threshold', () => '5'],
  ['Progress deadline', () => '60s'],
  ['Traffic routing', () => 'Weight step: 10 max: 50'],
];

function slackJson(ns: string, channel: string, username: string, color: string): string {
  const fields = FIELDS.map(([name, value]) => `{"title":"${name}","value":"${value(ns)}","short":false}`);
  return (
    `{"channel":"${channel}","username":"${username}","icon_url":"","icon_emoji":":rocket:",` +
    `"attachments":[{"color":"${color}","author_name":"podinfo.${ns}","text":"${GO_MESSAGE}",` +
    `"mrkdwn_in":["text"],"fields":[${fields.join(',')}]}]}`
  );
}

function msteamsJson(ns: string): string {
  const facts = FIELDS.map(([name, value]) => `{"name":"${name}","value":"${value(ns)}"}`);
  return (
    `{"@type":"MessageCard","@context":"http://schema.org/extensions","themeColor":"FF0000",` +
    `"summary":"podinfo.${ns}","sections":[{"activityTitle":"${GO_MESSAGE}",` +
    `"activitySubtitle":"podinfo.${ns}","facts":[${facts.join(',')}]}]}`
  );
}

function gchatJson(ns: string): string {
  const grey = (text: string) =>
    `\\u003cfont color=#848484\\u003e\\u003cstrong\\u003e${text}\\u003c/strong\\u003e\\u003c/font\\u003e`;
  const section = (text: string) => `{"widgets":[{"textParagraph":{"text":"${text}"}}]}`;
  const sections = [
    section(grey(GO_MESSAGE)),
    ...FIELDS.map(([name, value]) => section(`${name}\\u003cbr\\u003e${grey(value(ns))}`)),
  ];
  return (
    `{"cards":[{"header":{"title":"Flagger","subtitle":"podinfo.${ns}",` +
    `"imageUrl":"https://flagger.app/favicon.png"},"sections":[${sections.join(',')}]}]}`
  );
}

describe('notifiers', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  let receiver: Receiver;
  let proxy: Proxy;

  before(async () => {
    await installCrds(cluster.client);
    receiver = await new Receiver().start();
    proxy = await new Proxy().start();
  });

  after(async () => {
    await closeProxyDispatchers();
    await receiver.stop();
    await proxy.stop();
  });

  const alerter = (options: Partial<NotifierAlerterOptions> = {}) =>
    new NotifierAlerter({ kube: cluster.client, clusterName: CLUSTER_NAME, ...options });

  async function provider(namespace: string, name: string, spec: AlertProviderSpec): Promise<void> {
    await cluster.client.create({
      apiVersion: API_VERSION,
      kind: 'AlertProvider',
      metadata: { name, namespace },
      spec,
    });
  }

  async function secret(namespace: string, name: string, data: Record<string, string>): Promise<void> {
    await cluster.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace },
      stringData: data,
    });
  }

  /** A unique receiver path per test, so tests never read each other's requests. */
  const pathFor = (ns: string, what: string) => `/${ns}/${what}`;

  it("sends every provider type Flagger's exact payload", async () => {
    const ns = await cluster.namespace('notify');
    await provider(ns, 'slack', {
      type: 'slack',
      channel: 'on-call',
      address: receiver.url + pathFor(ns, 'slack'),
    });
    await provider(ns, 'discord', {
      type: 'discord',
      username: 'bot',
      address: receiver.url + pathFor(ns, 'discord'),
    });
    await provider(ns, 'rocket', { type: 'rocket', address: receiver.url + pathFor(ns, 'rocket') });
    await provider(ns, 'msteams', { type: 'msteams', address: receiver.url + pathFor(ns, 'msteams') });
    await provider(ns, 'gchat', { type: 'gchat', address: receiver.url + pathFor(ns, 'gchat') });
    const canary = canaryIn(
      ns,
      ['slack', 'discord', 'rocket', 'msteams', 'gchat'].map(name => alertTo(name, 'info')),
    );

    const deliveries = await alerter().deliver(canary, MESSAGE, true, 'error');

    assert.deepEqual(
      deliveries.map(d => [d.alert, d.sent, d.error]),
      ['slack', 'discord', 'rocket', 'msteams', 'gchat'].map(name => [`${name} alert`, true, undefined]),
    );
    const expected: [string, string][] = [
      [pathFor(ns, 'slack'), slackJson(ns, 'on-call', 'flagger', 'danger')],
      [pathFor(ns, 'discord/slack'), slackJson(ns, 'general', 'bot', 'danger')],
      [pathFor(ns, 'rocket'), slackJson(ns, 'general', 'flagger', '#FF0000')],
      [pathFor(ns, 'msteams'), msteamsJson(ns)],
      [pathFor(ns, 'gchat'), gchatJson(ns)],
    ];
    for (const [path, body] of expected) {
      const [request, ...more] = receiver.to(path);
      assert.ok(request, `a request to ${path}`);
      assert.equal(more.length, 0, `one request to ${path}`);
      assert.equal(request.method, 'POST');
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.headers.authorization, undefined, 'no token, no Authorization header');
      assert.equal(request.body, body, path);
    }
  });

  it('sends the info colors and only the Cluster field without metadata', async () => {
    const ns = await cluster.namespace('notify');
    await provider(ns, 'rocket', { type: 'rocket', address: receiver.url + pathFor(ns, 'rocket') });
    await alerter().deliver(
      canaryIn(ns, [alertTo('rocket')]),
      'Canary is waiting for approval.',
      false,
      'warn',
    );
    assert.equal(
      receiver.to(pathFor(ns, 'rocket'))[0]?.body,
      '{"channel":"general","username":"flagger","icon_url":"","icon_emoji":":rocket:","attachments":[{' +
        `"color":"#0076D7","author_name":"podinfo.${ns}","text":"Canary is waiting for approval.",` +
        `"mrkdwn_in":["text"],"fields":[{"title":"Cluster","value":"${CLUSTER_NAME}","short":false}]}]}`,
    );
  });

  it('routes by severity: info gets all, warn gets warn and error, error gets error, empty means info', async () => {
    const ns = await cluster.namespace('notify');
    for (const name of ['info', 'warn', 'error', 'empty']) {
      await provider(ns, name, { type: 'msteams', address: receiver.url + pathFor(ns, name) });
    }
    const canary = canaryIn(ns, [
      alertTo('info', 'info'),
      alertTo('warn', 'warn'),
      alertTo('error', 'error'),
      alertTo('empty', ''),
    ]);
    const a = alerter();
    const got = async (severity: 'info' | 'warn' | 'error') =>
      (await a.deliver(canary, `a ${severity} event`, false, severity)).map(d => d.provider?.split('.')[0]);

    assert.deepEqual(await got('info'), ['info', 'empty']);
    assert.deepEqual(await got('warn'), ['info', 'warn', 'empty']);
    assert.deepEqual(await got('error'), ['info', 'warn', 'error', 'empty']);
    const events = (name: string) =>
      receiver
        .to(pathFor(ns, name))
        .map(
          r => (JSON.parse(r.body) as { sections: { activityTitle: string }[] }).sections[0]?.activityTitle,
        );
    assert.deepEqual(events('info'), ['a info event', 'a warn event', 'a error event']);
    assert.deepEqual(events('warn'), ['a warn event', 'a error event']);
    assert.deepEqual(events('error'), ['a error event']);
    assert.deepEqual(events('empty'), ['a info event', 'a warn event', 'a error event']);
  });

  describe('global notifier', () => {
    const flags: GlobalNotifierOptions = {
      'slack-url': '',
      'slack-token': '',
      'slack-proxy-url': '',
      'slack-user': 'flagger',
      'slack-channel': '',
      'msteams-url': '',
      'msteams-proxy-url': '',
    };

    it('receives the alerts of canaries without analysis.alerts, and only those', async () => {
      const ns = await cluster.namespace('notify');
      const { notifier, provider: kind } = globalNotifier({
        ...flags,
        'slack-url': receiver.url + pathFor(ns, 'global'),
        'slack-channel': 'deployments',
        'slack-user': 'ci',
      });
      assert.equal(kind, 'slack');
      const a = alerter({ global: notifier });
      await provider(ns, 'own', { type: 'slack', address: receiver.url + pathFor(ns, 'own') });

      await a.deliver(canaryIn(ns, []), MESSAGE, true, 'error');
      await a.deliver(canaryIn(ns, [alertTo('own')]), MESSAGE, true, 'error');

      assert.deepEqual(
        receiver.to(pathFor(ns, 'global')).map(r => r.body),
        [slackJson(ns, 'deployments', 'ci', 'danger')],
      );
      assert.equal(receiver.to(pathFor(ns, 'own')).length, 1);
    });

    it('is MS Teams through its proxy when -msteams-url is set', async () => {
      const ns = await cluster.namespace('notify');
      const { notifier, provider: kind } = globalNotifier({
        ...flags,
        'slack-url': receiver.url + pathFor(ns, 'slack'),
        'slack-channel': 'x',
        'msteams-url': receiver.url + pathFor(ns, 'teams'),
        'msteams-proxy-url': proxy.url,
      });
      assert.equal(kind, 'msteams');
      await alerter({ global: notifier }).deliver(canaryIn(ns, []), MESSAGE, true, 'error');
      assert.deepEqual(
        receiver.to(pathFor(ns, 'teams')).map(r => r.body),
        [msteamsJson(ns)],
      );
      assert.equal(receiver.to(pathFor(ns, 'slack')).length, 0);
      assert.ok(proxy.forwarded.includes(receiver.url + pathFor(ns, 'teams')), 'went through the proxy');
    });

    it('sends a Slack bot token as a bearer token', async () => {
      const ns = await cluster.namespace('notify');
      const { notifier } = globalNotifier({
        ...flags,
        'slack-url': receiver.url + pathFor(ns, 'api'),
        'slack-token': 'xoxb-global',
        'slack-channel': 'ops',
      });
      await alerter({ global: notifier }).deliver(canaryIn(ns, []), 'hello', false, 'info');
      assert.equal(receiver.to(pathFor(ns, 'api'))[0]?.headers.authorization, 'Bearer xoxb-global');
    });
  });

  describe('AlertProvider resolution', () => {
    it("takes the Secret's address over spec.address, and its token", async () => {
      const ns = await cluster.namespace('notify');
      await secret(ns, 'slack-bot', {
        address: receiver.url + pathFor(ns, 'from-secret'),
        token: 'xoxb-secret',
      });
      await provider(ns, 'slack', {
        type: 'slack',
        channel: 'alerts',
        address: receiver.url + pathFor(ns, 'from-spec'),
        secretRef: { name: 'slack-bot' },
      });
      const [delivery] = await alerter().deliver(canaryIn(ns, [alertTo('slack')]), MESSAGE, true, 'error');
      assert.equal(delivery?.sent, true);
      assert.equal(receiver.to(pathFor(ns, 'from-spec')).length, 0);
      const [request] = receiver.to(pathFor(ns, 'from-secret'));
      assert.equal(request?.headers.authorization, 'Bearer xoxb-secret');
      assert.equal(request.body, slackJson(ns, 'alerts', 'flagger', 'danger'));
    });

    it('sends the token for Slack only', async () => {
      const ns = await cluster.namespace('notify');
      await secret(ns, 'teams', { address: receiver.url + pathFor(ns, 'teams'), token: 'not-for-teams' });
      await provider(ns, 'teams', { type: 'msteams', secretRef: { name: 'teams' } });
      await alerter().deliver(canaryIn(ns, [alertTo('teams')]), MESSAGE, true, 'error');
      const [request] = receiver.to(pathFor(ns, 'teams'));
      assert.equal(request?.body, msteamsJson(ns));
      assert.equal(request.headers.authorization, undefined);
    });

    it('keeps spec.address when the Secret has only a token, and reports what cannot be resolved', async () => {
      const ns = await cluster.namespace('notify');
      await secret(ns, 'token-only', { token: 'xoxb-1' });
      await secret(ns, 'empty', { other: 'x' });
      await provider(ns, 'spec-address', {
        type: 'slack',
        address: receiver.url + pathFor(ns, 'spec'),
        secretRef: { name: 'token-only' },
      });
      await provider(ns, 'no-address', { type: 'msteams', secretRef: { name: 'empty' } });
      await provider(ns, 'no-secret', { type: 'msteams', secretRef: { name: 'missing' } });
      const deliveries = await alerter().deliver(
        canaryIn(ns, [
          alertTo('spec-address'),
          alertTo('no-address'),
          alertTo('no-secret'),
          alertTo('absent'),
        ]),
        MESSAGE,
        false,
        'info',
      );
      assert.deepEqual(
        deliveries.map(d => [d.provider, d.sent]),
        [
          [`spec-address.${ns}`, true],
          [`no-address.${ns}`, false],
          [`no-secret.${ns}`, false],
          [`absent.${ns}`, false],
        ],
      );
      assert.equal(receiver.to(pathFor(ns, 'spec'))[0]?.headers.authorization, 'Bearer xoxb-1');
      assert.match(deliveries[1]?.error ?? '', /secret does not contain an address/);
      assert.match(deliveries[2]?.error ?? '', /secretRef error: .*not found/);
      assert.match(deliveries[3]?.error ?? '', /not found/);
    });

    it("finds the provider in providerRef.namespace, else in the canary's namespace", async () => {
      const ns = await cluster.namespace('notify');
      const shared = await cluster.namespace('flagger');
      await secret(shared, 'hook', { address: receiver.url + pathFor(ns, 'shared') });
      await provider(shared, 'on-call', { type: 'gchat', secretRef: { name: 'hook' } });
      await provider(ns, 'on-call', { type: 'gchat', address: receiver.url + pathFor(ns, 'local') });
      await alerter().deliver(
        canaryIn(ns, [alertTo('on-call', 'info', shared), alertTo('on-call', 'info')]),
        MESSAGE,
        true,
        'error',
      );
      assert.deepEqual(
        receiver.to(pathFor(ns, 'shared')).map(r => r.body),
        [gchatJson(ns)],
      );
      assert.deepEqual(
        receiver.to(pathFor(ns, 'local')).map(r => r.body),
        [gchatJson(ns)],
      );
    });
  });

  describe('transport', () => {
    it("posts through the provider's proxy", async () => {
      const ns = await cluster.namespace('notify');
      await provider(ns, 'proxied', {
        type: 'discord',
        address: receiver.url + pathFor(ns, 'hook'),
        proxy: proxy.url,
      });
      const [delivery] = await alerter().deliver(canaryIn(ns, [alertTo('proxied')]), MESSAGE, true, 'error');
      assert.equal(delivery?.sent, true, delivery?.error);
      assert.ok(proxy.forwarded.includes(receiver.url + pathFor(ns, 'hook/slack')), 'went through the proxy');
      assert.equal(
        receiver.to(pathFor(ns, 'hook/slack'))[0]?.body,
        slackJson(ns, 'general', 'flagger', 'danger'),
      );
    });

    it('cuts off a receiver that hangs at the timeout, without holding up the other alerts', async () => {
      const ns = await cluster.namespace('notify');
      receiver.answers.set(pathFor(ns, 'hang'), () => undefined);
      await provider(ns, 'hangs', { type: 'slack', address: receiver.url + pathFor(ns, 'hang') });
      await provider(ns, 'fine', { type: 'slack', address: receiver.url + pathFor(ns, 'fine') });
      const started = Date.now();
      const deliveries = await alerter({ timeoutMs: 300 }).deliver(
        canaryIn(ns, [alertTo('hangs'), alertTo('fine')]),
        MESSAGE,
        false,
        'info',
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 3_000, `took ${elapsed}ms`);
      assert.deepEqual(
        deliveries.map(d => [d.sent, d.error]),
        [
          [false, 'slack request failed: timeout exceeded'],
          [true, undefined],
        ],
      );
      assert.equal(receiver.to(pathFor(ns, 'hang')).length, 1);
    });

    it('reports a non-2xx answer with its body, and a refusing Slack Web API', async () => {
      const ns = await cluster.namespace('notify');
      receiver.answers.set(pathFor(ns, 'down'), res => res.writeHead(503).end('maintenance'));
      receiver.answers.set(pathFor(ns, 'api'), res =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"ok":false,"error":"channel_not_found"}'),
      );
      await secret(ns, 'bot', { address: receiver.url + pathFor(ns, 'api'), token: 'xoxb-1' });
      await provider(ns, 'down', { type: 'msteams', address: receiver.url + pathFor(ns, 'down') });
      await provider(ns, 'bot', { type: 'slack', secretRef: { name: 'bot' } });
      const deliveries = await alerter().deliver(
        canaryIn(ns, [alertTo('down'), alertTo('bot')]),
        'm',
        false,
        'info',
      );
      assert.deepEqual(
        deliveries.map(d => d.error),
        ['msteams error response: HTTP 503: maintenance', 'slack error response: channel_not_found'],
      );
    });
  });

  describe('message templates', () => {
    async function templated(namespace: string, name: string, template: string): Promise<void> {
      await cluster.client.create({
        apiVersion: API_VERSION,
        kind: 'AlertProvider',
        metadata: { name, namespace },
        spec: {
          type: 'msteams',
          address: receiver.url + pathFor(namespace, name),
          messageTemplate: template,
        },
      });
    }

    const titleOf = (r: Received | undefined) =>
      (JSON.parse(r?.body ?? '{}') as { sections?: { activityTitle: string }[] }).sections?.[0]
        ?.activityTitle;

    it('renders the template into the message', async () => {
      const ns = await cluster.namespace('notify');
      await templated(
        ns,
        'custom',
        '[{{ severity }}] {{ namespace }}/{{ name }} ({{ target }}) {{ phase }} w={{ weight }} f={{ failedChecks }}: {{ message }}',
      );
      const deliveries = await alerter().deliver(
        canaryIn(ns, [alertTo('custom')]),
        'Canary analysis failed',
        false,
        'error',
      );
      assert.deepEqual(
        deliveries.map(d => [d.sent, d.templateError]),
        [[true, undefined]],
      );
      assert.equal(
        titleOf(receiver.to(pathFor(ns, 'custom'))[0]),
        `[error] ${ns}/podinfo (podinfo) Failed w=0 f=5: Canary analysis failed`,
      );
    });

    it('sends the default message and reports a broken template', async () => {
      const ns = await cluster.namespace('notify');
      await templated(ns, 'broken', '{{ name }} {{ .Status.Phase }}');
      const warnings: string[] = [];
      const logger = {
        child: () => logger,
        warn: (message: string) => void warnings.push(message),
        error: (message: string) => void warnings.push(message),
      };
      const a = alerter({
        logger: logger as unknown as NotifierAlerterOptions['logger'],
      });
      const [delivery] = await a.deliver(
        canaryIn(ns, [alertTo('broken')]),
        'Canary analysis failed',
        false,
        'error',
      );
      assert.equal(delivery?.sent, true);
      assert.match(delivery.templateError ?? '', /unsupported action/);
      assert.equal(titleOf(receiver.to(pathFor(ns, 'broken'))[0]), 'Canary analysis failed');

      await a.alert(canaryIn(ns, [alertTo('broken')]), 'Canary analysis failed', false, 'error');
      assert.equal(receiver.to(pathFor(ns, 'broken')).length, 2);
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0] ?? '',
        new RegExp(`alert provider broken\\.${ns} message template error, default message sent`),
      );
    });
  });
});
