import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listFlag, parseFlags } from './flags.ts';

describe('Flagger flags', () => {
  it("has Flagger's defaults", () => {
    const flags = parseFlags([], {});
    assert.equal(flags['mesh-provider'], 'istio');
    assert.equal(flags['metrics-server'], 'http://prometheus:9090');
    assert.equal(flags['selector-labels'], 'app,name,app.kubernetes.io/name');
    assert.equal(flags['enable-config-tracking'], true);
    assert.equal(flags.threadiness, 2);
  });

  it('takes one or two dashes, = or a separate value, bare booleans', () => {
    const flags = parseFlags(
      [
        '-mesh-provider=linkerd',
        '--metrics-server',
        'http://prom:9090',
        '-enable-leader-election',
        '--threadiness=4',
        '-enable-config-tracking=false',
      ],
      {},
    );
    assert.equal(flags['mesh-provider'], 'linkerd');
    assert.equal(flags['metrics-server'], 'http://prom:9090');
    assert.equal(flags['enable-leader-election'], true);
    assert.equal(flags.threadiness, 4);
    assert.equal(flags['enable-config-tracking'], false);
  });

  it("applies Flagger's environment overrides", () => {
    const flags = parseFlags(['-slack-url=http://a'], {
      SLACK_URL: 'http://b',
      EVENT_WEBHOOK_URL: 'http://e',
    });
    assert.equal(flags['slack-url'], 'http://b');
    assert.equal(flags['event-webhook'], 'http://e');
  });

  it("accepts klog flags and rejects unknown ones with Go's message", () => {
    assert.doesNotThrow(() => parseFlags(['-v=2', '-logtostderr'], {}));
    assert.throws(() => parseFlags(['-mesh'], {}), /flag provided but not defined: -mesh/);
    assert.throws(() => parseFlags(['-threadiness=x'], {}), /not a number/);
  });

  it('splits list flags', () => {
    assert.deepEqual(listFlag('app, name,,x'), ['app', 'name', 'x']);
    assert.deepEqual(listFlag(''), []);
  });
});
