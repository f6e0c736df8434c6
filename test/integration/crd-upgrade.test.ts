// A cluster that still serves Flagger's own CRDs, as after `helm upgrade` from Flagger's chart (Helm never
// upgrades a chart's crds/): the controller warns at start-up about the fields they lack, and a canary applied
// with one of our extensions, which the API server dropped, is Validated=False until the CRDs are upgraded and
// the canary applied again. With our CRDs there is no warning.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import type { Canary, CanaryAnalysis } from '../../src/api/canary.ts';
import { CRD_UPGRADE_COMMAND, droppedFieldsProblem } from '../../src/api/crd-drift.ts';
import { ControllerRuntime, optionsFromFlags } from '../../src/cli/controller-runtime.ts';
import { parseFlags } from '../../src/cli/flags.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary } from '../harness/controller.ts';
import { flaggerCrds } from '../harness/fixtures.ts';
import { jsonLogSink } from '../harness/json-log.ts';
import { podinfoCanary, podinfoDeployment } from '../harness/workloads.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const exec = promisify(execFile);

describe("a cluster that still serves Flagger's CRDs", () => {
  const cluster = useCluster();
  const work = mkdtempSync(join(tmpdir(), 'flagger-crd-upgrade-'));
  const logs: Record<string, unknown>[] = [];
  let runtime: ControllerRuntime | undefined;

  async function kubectl(...args: string[]): Promise<string> {
    const { stdout } = await exec(cluster.plane.binaries.kubectl, [
      ...['--kubeconfig', cluster.plane.kubeconfigPath, ...args],
    ]);
    return stdout;
  }

  /** kubectl create or apply of a CRD file, then waits until the CRDs are served. */
  async function installWith(verb: 'create' | 'apply', file: string): Promise<void> {
    await kubectl(verb, '-f', file);
    await kubectl('wait', '--for=condition=established', '--timeout=60s', '-f', file);
  }

  /** Starts the controller with a fresh log; the kubernetes provider needs no mesh. */
  async function start(): Promise<void> {
    await runtime?.stop();
    logs.length = 0;
    const flags = parseFlags(['-mesh-provider=kubernetes', '-metrics-server=http://127.0.0.1:9'], {});
    const logger = createLogger({ level: 'info', destination: jsonLogSink(logs) });
    runtime = await ControllerRuntime.start({
      ...optionsFromFlags(flags, cluster.client, logger),
      minAnalysisIntervalMs: 1_000,
    });
  }

  /** What the controller logged about CRDs at start-up. */
  const crdWarnings = () =>
    logs.filter(l => l.level === 'warn' && String(l.msg).startsWith('CRD ')).map(l => String(l.msg));

  /** kubectl apply of the podinfo canary, as a user applies it (with the last-applied annotation). */
  async function applyCanary(ns: string, analysis: Partial<CanaryAnalysis>): Promise<void> {
    const file = join(work, `${ns}.yaml`);
    const canary = podinfoCanary(ns, { metrics: [], ...analysis });
    writeFileSync(file, stringify(canary));
    // kubectl's own schema check would refuse the field Flagger's CRD lacks; a GitOps tool or an older client
    // sends it, and the API server drops it.
    await kubectl('apply', '--validate=false', '-f', file);
  }

  const validated = async (ns: string) =>
    (await getCanary(cluster, ns)).status?.conditions?.find(c => c.type === 'Validated');

  async function invalidBecauseDropped(ns: string): Promise<void> {
    const { message } = droppedFieldsProblem('Canary', ['spec.analysis.delay']);
    await eventually(
      async () => (await validated(ns))?.message === message,
      'the canary was not reported invalid',
    );
    assert.equal((await validated(ns))?.status, 'False');
    assert.match(
      message,
      new RegExp(`^spec\\.analysis\\.delay: dropped by the API server.*${CRD_UPGRADE_COMMAND}`),
    );
    const stored: Canary = await getCanary(cluster, ns);
    assert.equal(stored.spec.analysis.delay, undefined, 'the API server dropped the field');
    assert.ok((await canaryEvents(cluster, ns)).includes(`Invalid canary spec: ${message}`));
    const logged = logs.filter(l => l.canary === `podinfo.${ns}` && l.level === 'warn');
    assert.ok(logged.some(l => l.msg === `Invalid canary spec: ${message}`));
  }

  before(async () => {
    // As Helm installs a chart's crds/: created once, then left alone.
    // Kubernetes 1.20 refuses the one empty-string default of Flagger's Canary CRD (mirror backendRef.group); it
    // concerns no field of ours.
    const flaggers = join(work, 'flagger-crds.yaml');
    writeFileSync(
      flaggers,
      flaggerCrds()
        .map(crd => stringify(withoutEmptyDefaults(crd)))
        .join('---\n'),
    );
    await installWith('create', flaggers);
    await start();
  });
  after(async () => {
    await runtime?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('warns at start-up about the fields they lack, with the upgrade command', () => {
    // The complete lists are pinned in src/api/crd-drift.test.ts.
    const [alertProviders, canaries, ...others] = crdWarnings().sort();
    assert.deepEqual(others, [], 'MetricTemplate lacks nothing');
    assert.match(
      alertProviders ?? '',
      /^CRD alertproviders\.flagger\.app lacks fields [^:]*: spec\.messageTemplate\./,
    );
    assert.match(canaries ?? '', /^CRD canaries\.flagger\.app lacks fields [^:]*: spec\.analysis\.delay, /);
    assert.match(canaries ?? '', / status\.metricChecks\. /);
    for (const warning of crdWarnings()) assert.ok(warning.endsWith(`: ${CRD_UPGRADE_COMMAND}`), warning);
    assert.equal(CRD_UPGRADE_COMMAND, 'kubectl apply -f deploy/crds/crds.yaml');
  });

  it('a canary applied with analysis.delay is Validated=False, naming the field and the upgrade command', async () => {
    const ns = await cluster.namespace('delay');
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await applyCanary(ns, { delay: '1m' });
    await invalidBecauseDropped(ns);
  });

  it('a running canary applied again with analysis.delay (only the annotation changes) is reported too', async () => {
    const ns = await cluster.namespace('reapply');
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await applyCanary(ns, {});
    await eventually(
      async () => (await getCanary(cluster, ns)).status?.phase === 'Initialized',
      'the canary was not initialized',
      60_000,
    );
    const before = await getCanary(cluster, ns);
    await applyCanary(ns, { delay: '1m' });
    await invalidBecauseDropped(ns);
    assert.deepEqual((await getCanary(cluster, ns)).spec, before.spec, 'the stored spec did not change');
  });

  it('after the documented CRD upgrade and a new apply the canary is valid; a restarted controller does not warn', async () => {
    const ns = await cluster.namespace('upgraded');
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await applyCanary(ns, { delay: '1m' });
    await invalidBecauseDropped(ns);
    await installWith('apply', join(ROOT, 'deploy/crds/crds.yaml'));
    await applyCanary(ns, { delay: '1m' });
    await eventually(async () => (await validated(ns)) === undefined, 'the canary stayed invalid');
    assert.equal((await getCanary(cluster, ns)).spec.analysis.delay, '1m');
    await start();
    assert.deepEqual(crdWarnings(), []);
  });
});

/** A copy of a schema without `default: ""`, which Kubernetes 1.20 refuses. */
function withoutEmptyDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyDefaults);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, child]) => !(key === 'default' && child === ''))
      .map(([key, child]) => [key, withoutEmptyDefaults(child)]),
  );
}
