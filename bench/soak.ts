// Soak: a long run of many canaries released over and over, about a fifth of them progressing at any time, while
// the controller is killed with SIGKILL and started again every few minutes. Every fifth release gets a failing
// metric and must roll back; the others must succeed. Nothing may be lost or repeated: every release must end
// with its expected phase within a bounded wait, a successful release must have gone through each of its
// iterations once, and no canary may start an analysis nobody asked for.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Canary, CanaryMetric } from '../src/api/canary.ts';
import { API_VERSION } from '../src/api/crds.ts';
import type { MetricTemplate } from '../src/api/metric-template.ts';
import { IDLE_PHASES } from '../src/scheduler/phases.ts';
import { initTimeoutMs, intervalMs, progress, type Benchmark, type BenchOptions } from './lib/benchmark.ts';
import type { BenchEnv } from './lib/bench-env.ts';
import {
  analysisSteps,
  apiRequestsByVerb,
  type ControllerProcess,
  type LogLine,
} from './lib/controller-process.ts';
import { iterationsAnalysis, keyOf, type CanaryRef } from './lib/fleet.ts';
import type { Row } from './lib/report.ts';
import { fmt, sum } from './lib/stats.ts';

const OUTCOMES = new Set(['Succeeded', 'Failed']);
/** Release n is expected to fail when n is a multiple of this. */
const FAIL_EVERY = 5;
const TEMPLATE_NAMESPACE = 'bench-soak-templates';
const TEMPLATE = 'soak-success-rate';
// Rendered per canary, so that the fake Prometheus can tell which canary it is asked about.
const QUERY = 'soak_success_rate{namespace="{{ namespace }}",app="{{ target }}"}';
const SUBJECT = /namespace="([^"]+)",app="([^"]+)"/;
const ITERATION = /^Advance \S+ canary iteration (\d+)\/\d+$/;
const MINUTE_MS = 60_000;
/** Log lines kept per canary, printed when its release goes wrong. */
const RECENT_LINES = 12;

interface Release {
  n: number;
  ref: CanaryRef;
  expected: 'Succeeded' | 'Failed';
  startedAt: number;
  /** A phase other than an idle one was seen since the release: a later idle phase is its outcome. */
  active: boolean;
  outcome?: string;
  /** status.iterations values seen on the watch during the release. */
  iterations: Set<number>;
  /** k of every "Advance ... canary iteration k/n" log line during the release. */
  advanced: number[];
}

/** What one controller process has used; the soak adds up those of every process it started. */
interface Counters {
  cpuSeconds: number;
  requests: number;
  steps: number;
}

const ZERO: Counters = { cpuSeconds: 0, requests: 0, steps: 0 };

export const soak: Benchmark = {
  name: 'soak',
  title: 'Soak: releases for hours, with controller kills',
  defaults: { canaries: 50, interval: '10s', steps: 3, minutes: 60, killEvery: 300 },
  async run(env, options) {
    await createTemplate(env);
    const metric: CanaryMetric = {
      name: 'success-rate',
      templateRef: { name: TEMPLATE, namespace: TEMPLATE_NAMESPACE },
      thresholdRange: { min: 99 },
      interval: '1m',
    };
    progress(`creating ${options.canaries} canaries`);
    const refs = await env.fleet.create({
      prefix: 'soak',
      count: options.canaries,
      replicas: 1,
      analysis: iterationsAnalysis(options.interval, options.steps, [metric]),
    });
    const state = new SoakState(env, options, refs);
    env.onControllerLog(line => state.onLog(line));
    await env.startController();
    await env.fleet.waitForPhase(refs, ['Initialized'], initTimeoutMs(refs.length));
    state.watch();
    return new SoakRun(env, options, state).run();
  },
};

async function createTemplate(env: BenchEnv): Promise<void> {
  await env.kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: TEMPLATE_NAMESPACE } });
  await env.kube.create<MetricTemplate>({
    apiVersion: API_VERSION,
    kind: 'MetricTemplate',
    metadata: { name: TEMPLATE, namespace: TEMPLATE_NAMESPACE },
    spec: { provider: { type: 'prometheus', address: env.prometheus.url }, query: QUERY },
  });
}

/** The releases and what the watch and the controller's log say about them. */
class SoakState {
  readonly open = new Map<string, Release>();
  readonly done: Release[] = [];
  /** Analyses that started without a release: a controller that repeats a finished run. */
  readonly unreleased: string[] = [];
  started = 0;
  private readonly env: BenchEnv;
  private readonly options: BenchOptions;
  private readonly refs: readonly CanaryRef[];
  /** Canaries whose release must fail: their metric answers 0, below the threshold of 99. */
  private readonly failing = new Set<string>();
  private readonly recent = new Map<string, string[]>();

  constructor(env: BenchEnv, options: BenchOptions, refs: readonly CanaryRef[]) {
    this.env = env;
    this.options = options;
    this.refs = refs;
    env.prometheus.answer = query => {
      const subject = SUBJECT.exec(query);
      return subject && this.failing.has(`${subject[1]}/${subject[2]}`) ? 0 : 100;
    };
  }

  /** Follows phases and iterations from now on; canaries are all idle. */
  watch(): void {
    this.env.fleet.onPhase((key, phase) => this.onPhase(key, phase));
    this.env.fleet.onCanary((key, canary) => this.onCanary(key, canary));
  }

  /** Releases a random idle canary, unless `limit` releases are in flight already. */
  async releaseOne(limit: number): Promise<void> {
    if (this.open.size >= limit) return;
    const idle = this.refs.filter(
      ref => !this.open.has(keyOf(ref)) && IDLE_PHASES.has(this.env.fleet.phase(ref) ?? ''),
    );
    const ref = idle[Math.floor(Math.random() * idle.length)];
    if (!ref) return;
    const n = ++this.started;
    const release: Release = {
      n,
      ref,
      expected: n % FAIL_EVERY === 0 ? 'Failed' : 'Succeeded',
      startedAt: Date.now(),
      active: false,
      iterations: new Set(),
      advanced: [],
    };
    if (release.expected === 'Failed') this.failing.add(keyOf(ref));
    this.open.set(keyOf(ref), release);
    await this.env.fleet.release(ref, `bench/app:soak-${n}`);
  }

  onLog(line: LogLine): void {
    if (line.canary === undefined) return;
    // The controller names a canary "<name>.<namespace>"; namespaces have no dots.
    const dot = line.canary.lastIndexOf('.');
    const key = `${line.canary.slice(dot + 1)}/${line.canary.slice(0, dot)}`;
    const lines = this.recent.get(key) ?? [];
    lines.push(`${line.ts} ${line.level ?? ''} ${line.msg}`);
    if (lines.length > RECENT_LINES) lines.shift();
    this.recent.set(key, lines);
    const k = ITERATION.exec(line.msg)?.[1];
    if (k !== undefined) this.open.get(key)?.advanced.push(Number(k));
  }

  /** Steps a successful release missed, plus steps any release took twice. */
  stepErrors(release: Release): number {
    const repeated = release.advanced.length - new Set(release.advanced).size;
    if (release.outcome !== 'Succeeded') return repeated;
    let lost = 0;
    for (let k = 1; k <= this.options.steps; k++) if (!release.iterations.has(k)) lost++;
    return lost + repeated;
  }

  /** Prints a release that went wrong, with what the controller last logged about its canary. */
  explain(release: Release, problem: string): void {
    const key = keyOf(release.ref);
    const seen = [...release.iterations].sort((a, b) => a - b).join(',');
    progress(
      [
        `${problem}: ${key} release #${release.n} (image bench/app:soak-${release.n}), expected ` +
          `${release.expected}, outcome ${release.outcome ?? 'none'}, last phase ` +
          `${this.env.fleet.phase(release.ref) ?? 'none'}, started ${fmt((Date.now() - release.startedAt) / 1000)}s ` +
          `ago, iterations seen [${seen}], advance lines [${release.advanced.join(',')}]`,
        ...(this.recent.get(key) ?? []).map(line => `  ${line}`),
      ].join('\n'),
    );
  }

  private onPhase(key: string, phase: string): void {
    const release = this.open.get(key);
    if (!release) {
      if (!IDLE_PHASES.has(phase)) {
        this.unreleased.push(key);
        progress(`unreleased run: ${key} entered ${phase} without a release`);
      }
      return;
    }
    if (!IDLE_PHASES.has(phase)) release.active = true;
    else if (release.active && OUTCOMES.has(phase)) this.finish(release, phase);
  }

  private onCanary(key: string, canary: Canary): void {
    const release = this.open.get(key);
    const iterations = canary.status?.iterations;
    if (release && iterations !== undefined && canary.status?.phase === 'Progressing') {
      release.iterations.add(iterations);
    }
  }

  private finish(release: Release, outcome: string): void {
    const key = keyOf(release.ref);
    release.outcome = outcome;
    this.open.delete(key);
    this.failing.delete(key);
    this.done.push(release);
    if (outcome !== release.expected) this.explain(release, 'wrong outcome');
    else if (this.stepErrors(release) > 0) this.explain(release, 'steps lost or repeated');
  }
}

/** The run itself: releases at a steady pace, kills, samples, then the wait for the releases in flight. */
class SoakRun {
  private readonly env: BenchEnv;
  private readonly options: BenchOptions;
  private readonly state: SoakState;
  private readonly rss: number[] = [];
  private retired: Counters = ZERO;
  private current: Counters = ZERO;
  private restarts = 0;
  private stopping = false;
  private finished = false;
  /** Why the kills or samples could not go on (a controller that did not come back); ends the run. */
  private failure: Error | undefined;

  constructor(env: BenchEnv, options: BenchOptions, state: SoakState) {
    this.env = env;
    this.options = options;
    this.state = state;
  }

  async run(): Promise<Row> {
    const base = await this.counters();
    const start = Date.now();
    const inFlight = Math.max(1, Math.ceil(this.options.canaries / 5));
    // A release takes its iterations plus about five ticks (start, all traffic, promotion, finalising, end).
    const releaseMs = (this.options.steps + 5) * intervalMs(this.options);
    const killing = this.options.killEvery > 0 ? `every ${this.options.killEvery} s` : 'never';
    progress(
      `all initialised; releasing for ${this.options.minutes} min, up to ${inFlight} at once, one every ` +
        `${fmt(releaseMs / inFlight / 1000)}s; kill -9 ${killing}`,
    );
    const housekeeping = this.housekeeping(start).catch((err: unknown) => {
      this.failure = err instanceof Error ? err : new Error(String(err));
    });
    try {
      await this.release(start + this.options.minutes * MINUTE_MS, releaseMs / inFlight, inFlight);
      this.stopping = true;
      await this.drain(180_000 + 3 * releaseMs);
    } finally {
      this.finished = true;
      await housekeeping;
    }
    if (this.failure) throw this.failure;
    this.sampleRss();
    return this.row(base, await this.counters(), start);
  }

  private async release(until: number, paceMs: number, inFlight: number): Promise<void> {
    while (Date.now() < until && !this.failure) {
      await this.state.releaseOne(inFlight);
      await sleep(Math.max(0, Math.min(paceMs, until - Date.now())));
    }
  }

  private async drain(timeoutMs: number): Promise<void> {
    progress(`${this.state.started} releases started; waiting for ${this.state.open.size} in flight`);
    const deadline = Date.now() + timeoutMs;
    while (this.state.open.size > 0 && Date.now() < deadline && !this.failure) await sleep(1000);
  }

  /** RSS every minute and, until the releases stop, a kill -9 every --kill-every seconds. */
  private async housekeeping(start: number): Promise<void> {
    const killMs = this.options.killEvery * 1000;
    let nextSample = start + MINUTE_MS;
    let nextKill = killMs > 0 ? start + killMs : Number.POSITIVE_INFINITY;
    while (!this.finished) {
      await sleep(250);
      if (!this.stopping && Date.now() >= nextKill) {
        await this.restart();
        nextKill += killMs;
      }
      if (Date.now() >= nextSample) {
        this.sampleRss();
        await this.counters();
        nextSample += MINUTE_MS;
      }
    }
  }

  private async restart(): Promise<void> {
    // The counters of the process about to die, as late as possible; what it does after this read is lost.
    await this.counters();
    this.retired = add(this.retired, this.current);
    this.current = ZERO;
    progress(
      `kill -9 the controller (pid ${this.env.controller.pid}); ${this.state.open.size} releases in flight`,
    );
    const controller = await this.env.restartController();
    this.restarts++;
    progress(
      `controller restarted (pid ${controller.pid}) in ${fmt((Date.now() - controller.startedAt) / 1000)}s`,
    );
  }

  private sampleRss(): void {
    try {
      this.rss.push(this.env.controller.usage().rssMb);
    } catch (err) {
      progress(`no memory sample: ${(err as Error).message}`);
    }
  }

  /** What every controller process used so far; a failed read keeps the current process's last values. */
  private async counters(): Promise<Counters> {
    try {
      this.current = await read(this.env.controller);
    } catch (err) {
      progress(`no counter sample: ${(err as Error).message}`);
    }
    return add(this.retired, this.current);
  }

  private row(base: Counters, end: Counters, start: number): Row {
    const minutes = (Date.now() - start) / MINUTE_MS;
    const done = this.state.done;
    const asExpected = (outcome: string) => done.filter(r => r.outcome === outcome && r.expected === outcome);
    const wrong = done.filter(r => r.outcome !== r.expected);
    for (const release of this.state.open.values()) this.state.explain(release, 'stuck');
    const stepErrors = done.reduce((n, release) => n + this.state.stepErrors(release), 0);
    // So that a zero above can be told from a check that saw nothing.
    const advanced = done.reduce((n, release) => n + release.advanced.length, 0);
    const iterations = done.reduce((n, release) => n + release.iterations.size, 0);
    progress(`checked ${advanced} "Advance" log lines and ${iterations} iteration counts on the watch`);
    return [
      ['canaries', String(this.options.canaries)],
      ['interval', this.options.interval],
      ['iterations', String(this.options.steps)],
      ['minutes', String(this.options.minutes)],
      ['kill every s', String(this.options.killEvery)],
      ['releases', String(this.state.started)],
      ['succeeded as expected', String(asExpected('Succeeded').length)],
      ['failed as expected', String(asExpected('Failed').length)],
      ['wrong outcome (must be 0)', String(wrong.length)],
      ['stuck (must be 0)', String(this.state.open.size)],
      ['steps lost or repeated (must be 0)', String(stepErrors)],
      ['unreleased runs (must be 0)', String(this.state.unreleased.length)],
      ['controller restarts', String(this.restarts)],
      ['RSS MB 1st min', fmt(this.rss[0] ?? Number.NaN)],
      ['RSS MB end', fmt(this.rss.at(-1) ?? Number.NaN)],
      ['RSS MB max', fmt(Math.max(...this.rss))],
      ['CPU s/min', fmt((end.cpuSeconds - base.cpuSeconds) / minutes)],
      ['analysis steps', String(end.steps - base.steps)],
      ['req/release', fmt((end.requests - base.requests) / this.state.started)],
    ];
  }
}

async function read(controller: ControllerProcess): Promise<Counters> {
  const samples = await controller.metrics();
  return {
    cpuSeconds: controller.usage().cpuSeconds,
    requests: sum(apiRequestsByVerb(samples)),
    steps: analysisSteps(samples),
  };
}

function add(a: Counters, b: Counters): Counters {
  return {
    cpuSeconds: a.cpuSeconds + b.cpuSeconds,
    requests: a.requests + b.requests,
    steps: a.steps + b.steps,
  };
}
