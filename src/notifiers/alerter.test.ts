import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanaryAnalysis } from '../api/canary.ts';
import { testCanary } from '../api/canary.fixture.ts';
import type { KubeObject, ObjectRef } from '../kube/types.ts';
import { DeliveryQueue } from '../webhooks/delivery-queue.ts';
import { admits, inBackground, NotifierAlerter, type ObjectReader } from './alerter.ts';
import { alertFields } from './fields.ts';
import type { Notification, Notifier } from './types.ts';

describe('alertFields', () => {
  it('has only the cluster without metadata', () => {
    assert.deepEqual(alertFields(testCanary(), 'prod', false), [{ name: 'Cluster', value: 'prod' }]);
    assert.deepEqual(alertFields(testCanary(), '', false), []);
  });

  it("has Flagger's metadata fields, cluster first", () => {
    assert.deepEqual(
      alertFields(
        testCanary({
          spec: { progressDeadlineSeconds: 120, analysis: { threshold: 5, stepWeight: 10, maxWeight: 50 } },
        }),
        'prod',
        true,
      ),
      [
        { name: 'Cluster', value: 'prod' },
        { name: 'Target', value: 'Deployment/podinfo.test' },
        { name: 'Failed checks threshold', value: '5' },
        { name: 'Progress deadline', value: '120s' },
        { name: 'Traffic routing', value: 'Weight step: 10 max: 50' },
      ],
    );
  });

  const routing = (analysis: Partial<CanaryAnalysis>) =>
    alertFields(testCanary({ spec: { analysis } }), '', true).find(f => f.name === 'Traffic routing')?.value;

  it("describes every strategy as Flagger's alertMetadata does", () => {
    const match = [{ headers: { x: { exact: 'y' } } }];
    // The maxWeight field as written: 0 when left out, as with stepWeights.
    assert.equal(routing({ stepWeight: 20, maxWeight: 50 }), 'Weight step: 20 max: 50');
    assert.equal(routing({ stepWeight: 20 }), 'Weight step: 20 max: 0');
    assert.equal(routing({ stepWeights: [1, 10, 80] }), 'Weight steps: 1,10,80 max: 0');
    assert.equal(routing({ stepWeights: [5, 30], maxWeight: 30 }), 'Weight steps: 5,30 max: 30');
    assert.equal(routing({ iterations: 10, match }), 'A/B Testing');
    assert.equal(routing({ iterations: 10 }), 'Blue/Green');
    assert.equal(routing({ iterations: 10, mirror: true }), 'Blue/Green');
    // The strategy comes first: iterations make blue/green whatever the weights; match without iterations is a
    // canary release.
    assert.equal(routing({ iterations: 10, stepWeight: 20, maxWeight: 50 }), 'Blue/Green');
    assert.equal(routing({ match, stepWeight: 20, maxWeight: 50 }), 'Weight step: 20 max: 50');
    assert.equal(routing({ match }), undefined);
    assert.equal(routing({}), undefined);
  });

  it('defaults the threshold to 1 and the deadline to 600s', () => {
    const fields = alertFields(testCanary({ spec: { analysis: { stepWeight: 5 } } }), '', true);
    assert.equal(fields.find(f => f.name === 'Failed checks threshold')?.value, '1');
    assert.equal(fields.find(f => f.name === 'Progress deadline')?.value, '600s');
  });
});

describe('admits', () => {
  const table: [string | undefined, 'info' | 'warn' | 'error', boolean][] = [
    ['info', 'info', true],
    ['info', 'warn', true],
    ['info', 'error', true],
    ['warn', 'info', false],
    ['warn', 'warn', true],
    ['warn', 'error', true],
    ['error', 'info', false],
    ['error', 'warn', false],
    ['error', 'error', true],
    // Q7 fixed: empty means info.
    ['', 'info', true],
    ['', 'error', true],
    [undefined, 'warn', true],
  ];
  for (const [wanted, event, expected] of table) {
    it(`${JSON.stringify(wanted)} ${expected ? 'receives' : 'skips'} ${event}`, () =>
      assert.equal(admits(wanted as '' | undefined, event), expected));
  }
});

describe('NotifierAlerter without alerts', () => {
  const noKube: ObjectReader = {
    get: <T extends KubeObject>(ref: ObjectRef): Promise<T> =>
      Promise.reject(new Error(`unexpected ${ref.kind}`)),
  };

  it('posts to the global notifier with the cluster field', async () => {
    const posted: Notification[] = [];
    const global: Notifier = { post: n => Promise.resolve(void posted.push(n)) };
    const alerter = new NotifierAlerter({ kube: noKube, global, clusterName: 'prod' });
    const deliveries = await alerter.deliver(
      testCanary({ spec: { analysis: { stepWeight: 10 } } }),
      'Canary analysis failed',
      false,
      'error',
    );
    assert.deepEqual(deliveries, [{ alert: 'global', sent: true }]);
    assert.deepEqual(posted, [
      {
        workload: 'podinfo',
        namespace: 'test',
        message: 'Canary analysis failed',
        fields: [{ name: 'Cluster', value: 'prod' }],
        severity: 'error',
      },
    ]);
  });

  it('sends nothing without a global notifier, and reports a failing one without throwing', async () => {
    assert.deepEqual(await new NotifierAlerter({ kube: noKube }).deliver(testCanary(), 'm', true, 'info'), [
      { alert: 'global', sent: false },
    ]);
    const broken: Notifier = {
      post: () => Promise.reject(new Error('slack error response: HTTP 500: down')),
    };
    const alerter = new NotifierAlerter({ kube: noKube, global: broken });
    assert.deepEqual(await alerter.deliver(testCanary(), 'm', true, 'info'), [
      { alert: 'global', sent: false, error: 'slack error response: HTTP 500: down' },
    ]);
    await alerter.alert(testCanary(), 'm', true, 'info');
  });

  it('reports a missing AlertProvider and goes on with the others', async () => {
    const alerter = new NotifierAlerter({ kube: noKube });
    const deliveries = await alerter.deliver(
      testCanary({
        spec: {
          analysis: {
            alerts: [
              { name: 'a', severity: 'info', providerRef: { name: 'one' } },
              { name: 'b', severity: 'error', providerRef: { name: 'two', namespace: 'flagger' } },
            ],
          },
        },
      }),
      'm',
      false,
      'error',
    );
    assert.deepEqual(deliveries, [
      { alert: 'a', provider: 'one.test', sent: false, error: 'unexpected AlertProvider' },
      { alert: 'b', provider: 'two.flagger', sent: false, error: 'unexpected AlertProvider' },
    ]);
  });
});

describe('inBackground', () => {
  it('returns before the notifier answers and sends the alerts of a canary in order', async () => {
    const sent: string[] = [];
    let answer = () => {};
    const slow: Notifier = {
      post: (notification: Notification) =>
        new Promise<void>(resolve => {
          sent.push(
            `${notification.fields.find(f => f.name === 'Target')?.value ?? ''} ${notification.message}`,
          );
          answer = resolve;
        }),
    };
    const queue = new DeliveryQueue({ onProblem: () => {} });
    const kube: ObjectReader = { get: () => Promise.reject(new Error('unused')) };
    const alerter = inBackground(new NotifierAlerter({ kube, global: slow }), queue);
    const subject = testCanary();
    await alerter.alert(subject, 'first', true, 'info');
    subject.spec.targetRef.name = 'changed';
    await alerter.alert(subject, 'second', true, 'info');
    await new Promise(resolve => setImmediate(resolve));
    assert.deepEqual(sent, ['Deployment/podinfo.test first'], 'the second waits; each as it was raised');
    answer();
    await new Promise(resolve => setImmediate(resolve));
    assert.deepEqual(sent, ['Deployment/podinfo.test first', 'Deployment/changed.test second']);
    answer();
    await queue.drained();
  });
});
