// The CLI subcommands against a real API server: canaries and their status are written by the test (no
// controller), the commands run in-process with captured output, and one run of the binary proves the wiring.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { Canary, CanaryAnalysis, CanaryStatus } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import type { Io } from '../../src/cli/commands/common.ts';
import type { Description } from '../../src/cli/commands/describe.ts';
import type { Plan } from '../../src/cli/commands/timeline.ts';
import { EventRecorder } from '../../src/kube/events.ts';
import type { Service } from '../../src/kube/types.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { podinfoCanary, podinfoDeployment } from '../harness/workloads.ts';

interface Run {
  code: Promise<number>;
  out: () => string;
  err: () => string;
  /** Ctrl-C. */
  interrupt: () => void;
}

describe('flagger CLI subcommands', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  const dir = mkdtempSync(join(tmpdir(), 'flagger-cli-'));

  before(async () => {
    await installCrds(cluster.client);
  });

  /** Runs a subcommand in-process, connected to the test cluster. */
  function start(command: string, ...args: string[]): Run {
    let out = '';
    let err = '';
    const interrupt = new AbortController();
    const io: Io = {
      out: { write: (text: string) => (out += text) },
      err: { write: (text: string) => (err += text) },
      env: {},
      signal: interrupt.signal,
    };
    const run = COMMANDS[command]?.run;
    assert.ok(run, `no command ${command}`);
    return {
      // lint works offline: it takes no cluster flags.
      code: run(command === 'lint' ? args : [...args, `--kubeconfig=${cluster.plane.kubeconfigPath}`], io),
      out: () => out,
      err: () => err,
      interrupt: () => interrupt.abort(),
    };
  }

  async function cli(
    command: string,
    ...args: string[]
  ): Promise<{ code: number; out: string; err: string }> {
    const run = start(command, ...args);
    const code = await run.code;
    return { code, out: run.out(), err: run.err() };
  }

  const ref = (namespace: string, name = 'podinfo') => ({
    apiVersion: API_VERSION,
    kind: 'Canary',
    name,
    namespace,
  });

  async function createCanary(
    namespace: string,
    analysis: Partial<CanaryAnalysis> = {},
    name = 'podinfo',
  ): Promise<Canary> {
    const canary = podinfoCanary(namespace, { interval: '1m', ...analysis });
    return cluster.client.create<Canary>({ ...canary, metadata: { ...canary.metadata, name } });
  }

  async function setStatus(namespace: string, status: CanaryStatus, name = 'podinfo'): Promise<Canary> {
    return cluster.client.modify<Canary>(
      ref(namespace, name),
      canary => {
        canary.status = { ...canary.status, ...status };
        return true;
      },
      { status: true },
    );
  }

  const annotations = async (namespace: string) =>
    (await cluster.client.get<Canary>(ref(namespace))).metadata.annotations ?? {};

  describe('get', () => {
    it('lists the canaries of a namespace, of all namespaces, and as JSON', async () => {
      const ns = await cluster.namespace('get');
      const other = await cluster.namespace('get');
      await createCanary(ns, { stepWeight: 20, maxWeight: 60 });
      await createCanary(other, {}, 'frontend');
      await setStatus(ns, {
        phase: 'Progressing',
        canaryWeight: 40,
        failedChecks: 1,
        iterations: 0,
        lastTransitionTime: '2026-01-01T10:00:00Z',
      });

      const table = await cli('get', '-n', ns);
      assert.equal(table.code, 0, table.err);
      assert.deepEqual(table.out.trimEnd().split('\n'), [
        'NAME      PHASE         WEIGHT   FAILED   ITERATIONS   LAST TRANSITION',
        'podinfo   Progressing       40        1            0   2026-01-01T10:00:00Z',
      ]);

      const all = await cli('get', 'canaries', '-A');
      assert.equal(all.code, 0, all.err);
      const lines = all.out.trimEnd().split('\n');
      assert.match(lines[0] ?? '', /^NAMESPACE +NAME +PHASE +WEIGHT +FAILED +ITERATIONS +LAST TRANSITION$/);
      assert.ok(
        lines.some(l => new RegExp(`^${ns} +podinfo +Progressing +40 +1 +0 `).test(l)),
        all.out,
      );
      assert.ok(
        lines.some(l => new RegExp(`^${other} +frontend +Unknown +0 +0 +0$`).test(l)),
        all.out,
      );

      const json = await cli('get', '-n', ns, '-o', 'json');
      const list = JSON.parse(json.out) as { kind: string; items: Canary[] };
      assert.equal(list.kind, 'List');
      assert.deepEqual(
        list.items.map(c => [c.metadata.name, c.status?.canaryWeight]),
        [['podinfo', 40]],
      );
      const yaml = parse((await cli('get', '-n', ns, '-o', 'yaml')).out) as { items: Canary[] };
      assert.equal(yaml.items[0]?.status?.phase, 'Progressing');

      const missing = await cli('get', 'canary', 'nope', '-n', ns);
      assert.equal(missing.code, 1);
      assert.match(missing.err, new RegExp(`canary nope not found in namespace ${ns}`));
      assert.equal((await cli('get', '-n', await cluster.namespace('empty'))).code, 0);
    });

    it('-w prints the rows that change until Ctrl-C', async () => {
      const ns = await cluster.namespace('watch');
      await createCanary(ns);
      await setStatus(ns, { phase: 'Initialized', lastTransitionTime: '2026-01-01T10:00:00Z' });
      const watching = start('get', '-w', '-n', ns);
      await eventually(() => watching.out().includes('Initialized'), 'no table', 10_000);
      await setStatus(ns, { phase: 'Progressing', canaryWeight: 10 });
      await eventually(() => /Progressing +10/.test(watching.out()), 'no change printed', 10_000);
      // A change that does not show in the table prints nothing.
      await cluster.client.patch(ref(ns), 'merge', { metadata: { labels: { team: 'a' } } });
      await setStatus(ns, { canaryWeight: 20 });
      await eventually(() => /Progressing +20/.test(watching.out()), 'no second change', 10_000);
      watching.interrupt();
      assert.equal(await watching.code, 0);
      const lines = watching.out().trimEnd().split('\n');
      assert.equal(lines.length, 4, watching.out());
      assert.match(lines[0] ?? '', /^NAME +PHASE/);
      assert.match(lines[3] ?? '', /^podinfo +Progressing +20 +0 +0 +2026-01-01T10:00:00Z$/);
    });
  });

  describe('describe', () => {
    it('shows the spec, the step, the decision record, the conditions, the events and the objects', async () => {
      const ns = await cluster.namespace('describe');
      await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
      await cluster.client.create<Service>({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'podinfo-primary', namespace: ns },
        spec: { selector: { app: 'podinfo-primary' }, ports: [{ port: 9898 }] },
      });
      const canary = await createCanary(ns, { stepWeight: 20, maxWeight: 60, threshold: 5 });
      await setStatus(ns, {
        phase: 'Progressing',
        canaryWeight: 40,
        failedChecks: 1,
        lastAppliedSpec: 'new',
        lastPromotedSpec: 'old',
        lastTransitionTime: '2026-01-01T10:02:00Z',
        conditions: [
          {
            type: 'Promoted',
            status: 'Unknown',
            reason: 'Progressing',
            message: 'New revision detected, progressing canary analysis.',
          },
          {
            type: 'MetricsVerified',
            status: 'True',
            reason: 'QueriesAnswer',
            message: '2 metric queries answer',
          },
        ],
        metricChecks: [
          {
            metric: 'request-success-rate',
            provider: 'prometheus',
            interval: '1m',
            value: 99.5,
            min: 99,
            verdict: 'Passed',
            time: '2026-01-01T10:01:00Z',
          },
          {
            metric: 'request-success-rate',
            provider: 'prometheus',
            interval: '1m',
            value: 50,
            min: 99,
            verdict: 'Failed',
            message: `Halt podinfo.${ns} advancement success rate 50.00% < 99%`,
            time: '2026-01-01T10:02:00Z',
          },
        ],
      });
      const events = new EventRecorder(cluster.client, silentLogger());
      await events.record(canary, 'Normal', 'Synced', `New revision detected! Scaling up podinfo.${ns}`);
      await events.record(canary, 'Normal', 'Synced', `Advance podinfo.${ns} canary weight 20`);
      await events.record(
        canary,
        'Warning',
        'Synced',
        `Halt podinfo.${ns} advancement success rate 50.00% < 99%`,
      );

      const { code, out, err } = await cli('describe', 'podinfo', '-n', ns);
      assert.equal(code, 0, err);
      const lines = out.split('\n');
      const line = (pattern: RegExp) =>
        lines.find(l => pattern.test(l)) ?? assert.fail(`${pattern}:\n${out}`);
      line(/^Target: +Deployment\/podinfo$/);
      line(/^Strategy: +canary, stepWeight 20, maxWeight 60$/);
      line(/^Steps: +20% → 40% → 60% → promotion$/);
      line(/^Threshold: +5 failed checks$/);
      line(/^Current step: +step 2 of 3 \(canary weight 40\)$/);
      line(/^Failed checks: +1 of 5$/);
      line(/^ {2}Promoted +Unknown +Progressing +New revision detected, progressing canary analysis\./);
      line(/^ {2}MetricsVerified +True +QueriesAnswer +2 metric queries answer/);
      line(/^ {2}Validated +- +\(absent: the spec passed validation\)$/);
      line(/^ {2}\S+ +request-success-rate +prometheus +Passed +99\.5 +≥ 99$/);
      line(
        /^ {2}\S+ +request-success-rate +prometheus +Failed +50 +≥ 99 +Halt podinfo\..+ advancement success rate 50\.00% < 99%$/,
      );
      const eventLines = lines.filter(l => / Synced /.test(l));
      assert.deepEqual(
        eventLines.map(l => l.replace(/^ +\S+ +/, '')),
        [
          `Normal    Synced   New revision detected! Scaling up podinfo.${ns}`,
          `Normal    Synced   Advance podinfo.${ns} canary weight 20`,
          `Warning   Synced   Halt podinfo.${ns} advancement success rate 50.00% < 99%`,
        ],
        'events, newest last',
      );
      line(/^ {2}Deployment +podinfo +target +yes +0\/2 ready$/);
      line(/^ {2}Deployment +podinfo-primary +primary +no +not found$/);
      line(/^ {2}Service +podinfo-primary +primary service +yes +selector app=podinfo-primary$/);
      line(/^ {2}Service +podinfo-canary +canary service +no +not found$/);

      const json = JSON.parse((await cli('describe', 'podinfo', '-n', ns, '-o', 'json')).out) as Description;
      assert.equal(json.current, 'step 2 of 3 (canary weight 40)');
      assert.deepEqual(
        json.metricChecks.map(c => c.verdict),
        ['Passed', 'Failed'],
      );
      assert.equal(json.events.length, 3);
      assert.deepEqual(
        json.objects.map(o => [o.name, o.exists]),
        [
          ['podinfo', true],
          ['podinfo-primary', false],
          ['podinfo', false],
          ['podinfo-primary', true],
          ['podinfo-canary', false],
        ],
      );

      const missing = await cli('describe', 'nope', '-n', ns);
      assert.equal(missing.code, 1);
      assert.equal(
        missing.err,
        `error: canary nope not found in namespace ${ns}: check the name and -n (flagger get canaries -A lists every canary)\n`,
      );
    });
  });

  describe('promote, abort, pause, resume, retry', () => {
    it('each sets its annotation on the canary', async () => {
      const ns = await cluster.namespace('control');
      await createCanary(ns);
      await setStatus(ns, { phase: 'Progressing', canaryWeight: 10 });
      const cases: [string[], Record<string, string>, string][] = [
        [['promote'], { 'flagger.app/promote': 'step' }, 'asked to run the next analysis step now'],
        [
          ['promote', '--full'],
          { 'flagger.app/skip-analysis': 'true' },
          'asked to promote the current revision now',
        ],
        [['abort'], { 'flagger.app/abort': 'true' }, 'asked to roll the current release back now'],
        [['pause'], { 'flagger.app/pause': 'true' }, 'asked to pause the canary'],
        [
          ['retry'],
          { 'flagger.app/reset': 'true' },
          'asked to start the analysis of the current revision over',
        ],
      ];
      for (const [[command = '', ...flags], expected, said] of cases) {
        await cluster.client.patch(ref(ns), 'merge', { metadata: { annotations: null } });
        const { code, out, err } = await cli(command, 'podinfo', '-n', ns, ...flags);
        assert.equal(code, 0, err);
        assert.ok(out.startsWith(`podinfo.${ns}: ${said}`), out);
        assert.deepEqual(await annotations(ns), expected, command);
      }

      await cli('pause', 'podinfo', '-n', ns);
      const resumed = await cli('resume', 'podinfo', '-n', ns);
      assert.equal(resumed.code, 0);
      assert.match(resumed.out, /asked to resume the canary \(removed flagger\.app\/pause\)/);
      assert.equal((await annotations(ns))['flagger.app/pause'], undefined);
      assert.match((await cli('resume', 'podinfo', '-n', ns)).out, /is not paused: nothing to resume/);

      for (const command of ['promote', 'abort', 'pause', 'resume', 'retry']) {
        const missing = await cli(command, 'nope', '-n', ns);
        assert.equal(missing.code, 1, command);
        assert.match(
          missing.err,
          new RegExp(`canary nope not found in namespace ${ns}: check the name and -n`),
        );
      }
      assert.equal((await cli('abort', '-n', ns)).code, 2);
    });
  });

  describe('lint', () => {
    it('checks files offline with the validate rules', async () => {
      const good = join(dir, 'good.yaml');
      writeFileSync(good, '---\n' + JSON.stringify(podinfoCanary('x', { stepWeight: 10 })));
      const bad = join(dir, 'bad.yaml');
      writeFileSync(
        bad,
        JSON.stringify(podinfoCanary('x', { stepWeight: 10, threshold: -1, stepWeights: [30, 20] })),
      );
      const ok = await cli('lint', '-f', good);
      assert.deepEqual([ok.code, ok.out], [0, `${good}: ok\n0 errors, 0 warnings in 1 file\n`]);
      const failed = await cli('lint', '-f', good, '-f', bad);
      assert.equal(failed.code, 1);
      assert.match(
        failed.out,
        new RegExp(`${bad}: Canary/podinfo: error: spec\\.analysis\\.stepWeights\\[1\\]`),
      );
    });
  });

  describe('status', () => {
    it('--wait exits 0 once the current revision is promoted, printing the progress', async () => {
      const ns = await cluster.namespace('status');
      await createCanary(ns, { stepWeight: 50, maxWeight: 100 });
      await setStatus(ns, {
        phase: 'Progressing',
        canaryWeight: 0,
        lastAppliedSpec: 'b',
        lastPromotedSpec: 'a',
      });
      const now = await cli('status', 'podinfo', '-n', ns);
      assert.equal(now.code, 2, 'under way');
      assert.match(now.out, /the release is under way \(Progressing\); wait for its end with --wait/);

      const waiting = start('status', 'podinfo', '-n', ns, '--wait', '--timeout=60s');
      await eventually(() => waiting.out().includes('Progressing, canary weight 0'), 'no first line', 10_000);
      await setStatus(ns, { canaryWeight: 50 });
      await eventually(
        () => waiting.out().includes('canary weight 50 (step 1 of 2)'),
        'no step line',
        10_000,
      );
      await setStatus(ns, { phase: 'Succeeded', canaryWeight: 0, lastPromotedSpec: 'b' });
      assert.equal(await waiting.code, 0, waiting.err());
      const lines = waiting.out().trimEnd().split('\n');
      assert.deepEqual(
        lines.map(l => l.replace(/^\S+Z /, '')),
        [
          `podinfo.${ns} Progressing, canary weight 0, failed checks 0/2`,
          `podinfo.${ns} Progressing, canary weight 50 (step 1 of 2), failed checks 0/2`,
          `podinfo.${ns} Succeeded, canary weight 0, failed checks 0/2`,
          `podinfo.${ns}: the current revision is promoted`,
        ],
      );
    });

    it('--wait exits 1 when the release fails and 2 on timeout', async () => {
      const ns = await cluster.namespace('status');
      await createCanary(ns);
      await setStatus(ns, { phase: 'Progressing', lastAppliedSpec: 'b', lastPromotedSpec: 'a' });
      const waiting = start('status', 'podinfo', '-n', ns, '--wait');
      await eventually(() => waiting.out().includes('Progressing'), 'no first line', 10_000);
      await setStatus(ns, { phase: 'Failed' });
      assert.equal(await waiting.code, 1);
      assert.match(waiting.out(), /the release failed; see why with flagger describe podinfo -n /);

      await setStatus(ns, { phase: 'Progressing' });
      const timeout = await cli('status', 'podinfo', '-n', ns, '--wait', '--timeout', '1s');
      assert.equal(timeout.code, 2);
      assert.match(timeout.err, /timed out after 1s: podinfo\..+: the release is under way \(Progressing\)/);

      await setStatus(ns, { phase: 'Initialized' });
      assert.equal((await cli('status', 'podinfo', '-n', ns)).code, 0);
      assert.equal((await cli('status', 'nope', '-n', ns, '--wait')).code, 1);
    });
  });

  describe('plan', () => {
    it('plans a canary on the cluster, and the change a file would make to it', async () => {
      const ns = await cluster.namespace('plan');
      await createCanary(ns, { stepWeight: 20, maxWeight: 60, threshold: 2 });
      await setStatus(ns, { phase: 'Progressing', canaryWeight: 40 });
      const table = await cli('plan', 'podinfo', '-n', ns);
      assert.equal(table.code, 0, table.err);
      assert.match(
        table.out,
        new RegExp(`^Canary podinfo\\.${ns}: canary, stepWeight 20, maxWeight 60, on istio`),
      );
      assert.match(table.out, /\n ▶ 2 +\+2m +Progressing +60\/40 /, 'the current step is marked');

      const plan = JSON.parse((await cli('plan', 'podinfo', '-n', ns, '-o', 'json')).out) as Plan;
      assert.deepEqual(plan.weights, [20, 40, 60]);
      assert.equal(plan.succeededAtMs, 6 * 60_000);
      assert.equal(plan.rollbackAfterMs, 2 * 60_000);

      const changed = join(dir, 'changed.yaml');
      writeFileSync(
        changed,
        JSON.stringify(
          podinfoCanary(ns, {
            interval: '1m',
            stepWeight: undefined,
            maxWeight: undefined,
            stepWeights: [10, 30, 60],
            threshold: 2,
          }),
        ),
      );
      const diff = await cli('plan', 'podinfo', '-n', ns, '-f', changed);
      assert.equal(diff.code, 0, diff.err);
      assert.deepEqual(diff.out.trimEnd().split('\n'), [
        `Plan of podinfo.${ns}: cluster → ${changed}`,
        '  stepWeight: 20 → -',
        '  stepWeights: - → 10, 30, 60',
        '  steps: 20%, 40%, 60% → 10%, 30%, 60%',
        '  steps added: 10%, 30%',
        '  steps removed: 20%, 40%',
        '  minimum time to promote: 6m → 6m (no change)',
        '  maximum time to roll back: 2m → 2m (no change)',
      ]);
      const json = JSON.parse((await cli('plan', '--diff', '-f', changed, '-o', 'json')).out) as {
        changes: { added: string[] };
      };
      assert.deepEqual(json.changes.added, ['10%', '30%']);
      assert.equal((await cli('plan', 'nope', '-n', ns)).code, 1);
    });
  });

  describe('the binary', () => {
    it('runs the subcommands with the process streams and exit codes', async () => {
      const ns = await cluster.namespace('binary');
      await createCanary(ns);
      await setStatus(ns, { phase: 'Succeeded', lastAppliedSpec: 'a', lastPromotedSpec: 'a' });
      const bin = new URL('../../bin/flagger.js', import.meta.url).pathname;
      const run = (...args: string[]) =>
        promisify(execFile)(
          process.execPath,
          [bin, ...args, `--kubeconfig=${cluster.plane.kubeconfigPath}`],
          {
            env: { ...process.env, NO_COLOR: '1' },
          },
        );
      const { stdout } = await run('get', '-n', ns);
      assert.match(
        stdout,
        /^NAME +PHASE +WEIGHT +FAILED +ITERATIONS +LAST TRANSITION\npodinfo +Succeeded +0 +0 +0\n$/,
      );
      assert.match((await run('status', 'podinfo', '-n', ns)).stdout, /the current revision is promoted/);
      await assert.rejects(run('abort', 'nope', '-n', ns), (err: { code: number; stderr: string }) => {
        assert.equal(err.code, 1);
        assert.match(err.stderr, /canary nope not found/);
        return true;
      });
    });
  });
});
