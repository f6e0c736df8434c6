import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError, loadTesterUsage, parseGateStorage, parseLoadTesterFlags } from './flags.ts';
import { BoundedOutput } from './output.ts';

describe('load tester flags', () => {
  it("has Flagger's defaults", () => {
    assert.deepEqual(parseLoadTesterFlags([]), {
      logLevel: 'debug',
      port: 9090,
      timeoutMs: 3_600_000,
      namespaceRegexp: '',
      zapReplaceGlobals: false,
      zapEncoding: 'json',
      gateStorage: { kind: 'in-memory' },
      kubeconfig: '',
      allowedNamespaces: [],
      disabledTaskTypes: [],
      authTokenFile: '',
      maxOutputBytes: 1024 * 1024,
      version: false,
      help: false,
    });
  });

  it('reads -name=value, --name value and bare booleans', () => {
    const flags = parseLoadTesterFlags([
      '-port=8080',
      '--timeout',
      '90s',
      '-namespace-regexp=^test$',
      '-zap-replace-globals',
      '-zap-encoding=console',
      '-log-level',
      'info',
      '-gate-storage=file:/data/gates.json',
      '-version=false',
    ]);
    assert.equal(flags.port, 8080);
    assert.equal(flags.timeoutMs, 90_000);
    assert.equal(flags.namespaceRegexp, '^test$');
    assert.equal(flags.zapReplaceGlobals, true);
    assert.equal(flags.zapEncoding, 'console');
    assert.equal(flags.logLevel, 'info');
    assert.deepEqual(flags.gateStorage, { kind: 'file', path: '/data/gates.json' });
    assert.equal(flags.version, false);
    assert.equal(parseLoadTesterFlags(['-version']).version, true);
    assert.equal(parseLoadTesterFlags(['-h']).help, true);
  });

  for (const bad of [
    ['-nope'],
    ['-port=http'],
    ['-port=70000'],
    ['-timeout=soon'],
    ['-timeout=0s'],
    ['-namespace-regexp=('],
    ['-zap-encoding=xml'],
    ['-gate-storage=redis'],
    ['-port'],
    ['stray'],
  ])
    it(`rejects ${bad.join(' ')}`, () => assert.throws(() => parseLoadTesterFlags(bad), FlagError));

  it('parses gate storage specs', () => {
    assert.deepEqual(parseGateStorage('configmap:flagger-gates'), {
      kind: 'configmap',
      namespace: undefined,
      name: 'flagger-gates',
    });
    assert.deepEqual(parseGateStorage('configmap:test/flagger-gates'), {
      kind: 'configmap',
      namespace: 'test',
      name: 'flagger-gates',
    });
    assert.throws(() => parseGateStorage('configmap:Bad_Name'), FlagError);
  });

  it('prints usage like Go', () =>
    assert.match(loadTesterUsage(), /-timeout\n {4}\tLoad test exec timeout. \(default "1h"\)/));
});

describe('console log encoding', () => {});

describe('BoundedOutput', () => {
  it('keeps the tail and says how much was dropped', () => {
    const output = new BoundedOutput(10);
    output.append(Buffer.from('0123456789'));
    assert.equal(output.text(), '0123456789');
    output.append(Buffer.from('abcd'));
    output.append(Buffer.from('ef'));
    assert.equal(output.truncatedBytes, 6);
    assert.equal(
      output.text(),
      '[output truncated: first 6 bytes dropped, last 10 kept (-max-output-bytes)]\n6789abcdef',
    );
  });
});
