// What every benchmark shares: its options (from the command line), its shape, and snapshots of the counters
// that the benchmarks difference over a window (controller CPU, memory and requests; the API server's requests).
import { parseDuration } from '../../src/api/duration.ts';
import { apiServerSamples, requestsByResource, requestsByVerb } from './apiserver.ts';
import type { BenchEnv } from './bench-env.ts';
import { analysisSteps, apiRequestsByVerb, type Usage } from './controller-process.ts';
import type { Row } from './report.ts';

export interface BenchOptions {
  /** Idle canaries around the measured ones. */
  canaries: number;
  /** Canaries released at once. */
  progressing: number;
  /** Releases one after another (reaction). */
  releases: number;
  /** analysis.interval of every canary. */
  interval: string;
  /** analysis.iterations of every canary. */
  steps: number;
  /** The metrics of the metrics benchmark's canaries. */
  metrics: 'builtin' | 'template';
  /** Length of the idle measurement window (cost). */
  idleSeconds: number;
  /** Length of the run in minutes (soak). */
  minutes: number;
  /** Seconds between two kill -9 of the controller, 0 for none (soak). */
  killEvery: number;
  /** Extra controller flags, e.g. -kubeconfig-qps=500. */
  flags: string[];
  /** Node.js flags of the controller process, e.g. --max-old-space-size=128 (a container's memory limit). */
  nodeFlags: string[];
}

export interface Benchmark {
  name: string;
  title: string;
  defaults: Partial<BenchOptions>;
  run(env: BenchEnv, options: BenchOptions): Promise<Row>;
}

export function intervalMs(options: BenchOptions): number {
  const ms = parseDuration(options.interval);
  if (ms === undefined) throw new Error(`--interval ${options.interval}: not a duration`);
  return ms;
}

/** How long creating and initialising n canaries may take on a slow, shared machine. */
export function initTimeoutMs(n: number): number {
  return 180_000 + n * 600;
}

/** Progress on stderr; stdout carries only the result table. */
export function progress(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export interface Snapshot {
  at: number;
  usage: Usage;
  /** The controller's own counters. */
  controllerVerbs: Map<string, number>;
  steps: number;
  /** kube-apiserver's counters (all clients). */
  apiVerbs: Map<string, number>;
  apiResources: Map<string, number>;
}

export async function snapshot(env: BenchEnv): Promise<Snapshot> {
  const [controller, api] = await Promise.all([env.controller.metrics(), apiServerSamples(env.kube)]);
  return {
    at: Date.now(),
    usage: env.controller.usage(),
    controllerVerbs: apiRequestsByVerb(controller),
    steps: analysisSteps(controller),
    apiVerbs: requestsByVerb(api),
    apiResources: requestsByResource(api),
  };
}
