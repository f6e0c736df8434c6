import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { capture } from './captured-io.ts';
import { KubeApiError } from '../../kube/errors.ts';
import {
  CliError,
  CLUSTER_OPTIONS,
  colorsFor,
  connectCluster,
  explainKubeError,
  outputFormat,
  parseCommandArgs,
  run,
  terminalWidth,
  UsageError,
} from './common.ts';

const options = {
  ...CLUSTER_OPTIONS,
  watch: { type: 'boolean', short: 'w' },
  filename: { type: 'string', short: 'f', multiple: true },
} as const;

describe('parseCommandArgs', () => {
  it('reads short and long options, with = or a separate value, and positionals', () => {
    const { values, positionals } = parseCommandArgs(
      ['podinfo', '-n', 'test', '--kubeconfig=/k', '-w', '-f', 'a.yaml', '--filename', 'b.yaml'],
      options,
    );
    assert.deepEqual(positionals, ['podinfo']);
    assert.equal(values.namespace, 'test');
    assert.equal(values.kubeconfig, '/k');
    assert.equal(values.watch, true);
    assert.deepEqual(values.filename, ['a.yaml', 'b.yaml']);
  });

  it("accepts long options with one dash, as the controller's flags are written", () => {
    const { values } = parseCommandArgs(['-kubeconfig=/k', '-namespace', 'prod'], options);
    assert.equal(values.kubeconfig, '/k');
    assert.equal(values.namespace, 'prod');
  });

  it('turns unknown options and missing values into usage errors', () => {
    assert.throws(() => parseCommandArgs(['--bogus'], options), UsageError);
    assert.throws(() => parseCommandArgs(['-n'], options), UsageError);
  });

  it('reads -o', () => {
    assert.equal(outputFormat(undefined), 'table');
    assert.equal(outputFormat('json'), 'json');
    assert.equal(outputFormat('yaml'), 'yaml');
    assert.throws(() => outputFormat('xml'), /-o xml is not an output format: use table, json or yaml/);
  });
});

describe('terminal', () => {
  it('colours and fits only a terminal', () => {
    assert.equal(colorsFor({ write: () => true, isTTY: true }, {}).red('x'), '\u001b[31mx\u001b[0m');
    assert.equal(colorsFor({ write: () => true, isTTY: true }, { NO_COLOR: '1' }).red('x'), 'x');
    assert.equal(colorsFor({ write: () => true }, {}).red('x'), 'x');
    assert.equal(terminalWidth({ write: () => true, isTTY: true, columns: 100 }), 100);
    assert.equal(terminalWidth({ write: () => true, columns: 100 }), Infinity);
  });
});

describe('connectCluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flagger-cli-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: a, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: one, context: {cluster: a, user: u, namespace: team}}, {name: two, context: {cluster: a, user: u}}]',
      'current-context: one',
    ].join('\n'),
  );

  it("takes the namespace from -n, else the context's, else default", () => {
    assert.equal(connectCluster({ kubeconfig }).namespace, 'team');
    assert.equal(connectCluster({ kubeconfig, namespace: 'x' }).namespace, 'x');
    assert.equal(connectCluster({ kubeconfig, context: 'two' }).namespace, 'default');
  });

  it('says which contexts exist when --context names another', () => {
    assert.throws(() => connectCluster({ kubeconfig, context: 'three' }), /use one of one, two/);
  });
});

describe('errors', () => {
  it('explains API errors with what to do', () => {
    const notFound = new KubeApiError('NotFound', 404, 'get Canary test/podinfo: not found');
    assert.equal(
      explainKubeError(notFound, { namespace: 'test', name: 'podinfo' }).message,
      'canary podinfo not found in namespace test: check the name and -n (flagger get canaries -A lists every canary)',
    );
    const noCrd = new KubeApiError('NotFound', 404, 'the API server does not serve flagger.app/v1beta1');
    assert.match(explainKubeError(noCrd).message, /install the CRDs with kubectl apply -k deploy\/crds/);
    const down = new KubeApiError('Transient', 0, 'list Canary: connect ECONNREFUSED');
    assert.match(explainKubeError(down).message, /^cannot reach the API server: .*check --kubeconfig/);
  });

  it('run: usage errors exit 2 with the usage, CLI errors exit 1 with the message', async () => {
    const usage = capture();
    assert.equal(await run(usage.io, 'usage: x', () => Promise.reject(new UsageError('NAME is missing'))), 2);
    assert.equal(usage.err(), 'error: NAME is missing\nusage: x\n');
    const failed = capture();
    assert.equal(await run(failed.io, 'usage: x', () => Promise.reject(new CliError('check -n'))), 1);
    assert.equal(failed.err(), 'error: check -n\n');
    await assert.rejects(
      run(capture().io, '', () => Promise.reject(new TypeError('bug'))),
      TypeError,
    );
  });
});
