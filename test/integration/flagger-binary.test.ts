import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { Canary } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { podinfoCanary, podinfoDeployment } from '../harness/workloads.ts';

describe("the flagger binary with Flagger's flags", () => {
  const cluster = useCluster();

  it('refuses bad flag values before connecting, naming each, with exit code 2', () => {
    const bin = new URL('../../bin/flagger.js', import.meta.url).pathname;
    const run = spawnSync(
      process.execPath,
      [bin, '-kubeconfig=/nonexistent', '-port=x', '-mesh-provider=istoi'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(run.status, 2);
    assert.match(run.stderr, /invalid flags:\n {2}-port="x": not a TCP port/);
    assert.match(run.stderr, /-mesh-provider="istoi": unknown provider/);
    const unknown = spawnSync(process.execPath, [bin, '-bogus'], { encoding: 'utf8' });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /^flag provided but not defined: -bogus\nUsage of flagger:/);
    const klog = spawnSync(process.execPath, [bin, '-v', 'x'], { encoding: 'utf8' });
    assert.equal(klog.status, 2);
    assert.match(
      klog.stderr,
      /^invalid value "x" for flag -v: strconv.ParseInt: parsing "x": invalid syntax\n/,
    );
    // As Go's flag package: -h prints the usage on stderr and exits 0.
    const help = spawnSync(process.execPath, [bin, '-h'], { encoding: 'utf8' });
    assert.deepEqual([help.status, help.stdout], [0, '']);
    assert.match(help.stderr, /^Usage of flagger:\n {2}-add_dir_header\n/);
  });

  it('runs the controller out of cluster, logs Flagger-style JSON and stops on SIGTERM', async () => {
    await installCrds(cluster.client);
    const ns = await cluster.namespace();
    const bin = new URL('../../bin/flagger.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [
      bin,
      `-kubeconfig=${cluster.plane.kubeconfigPath}`,
      '--mesh-provider=kubernetes',
      '-metrics-server',
      'http://127.0.0.1:1',
      '-port=0',
      '-log-level=info',
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
    try {
      await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
      const canary = podinfoCanary(ns, {
        stepWeight: undefined,
        maxWeight: undefined,
        iterations: 2,
        metrics: [],
      });
      await cluster.client.create(canary);
      const ref = { apiVersion: API_VERSION, kind: 'Canary', name: 'podinfo', namespace: ns };
      await eventually(
        async () => (await cluster.client.get<Canary>(ref)).status?.phase === 'Initialized',
        'not initialized',
        60_000,
      );
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    const lines = stderr
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as Record<string, unknown>);
    const done = lines.find(l => l.msg === `Initialization done! podinfo.${ns}`);
    assert.deepEqual(Object.keys(done ?? {}).sort(), ['canary', 'level', 'msg', 'ts']);
    assert.equal(done?.level, 'info');
    assert.equal(done.canary, `podinfo.${ns}`);
  });
});
