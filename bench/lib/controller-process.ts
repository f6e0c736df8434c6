// The controller under test as its own process (bin/flagger.js with -kubeconfig), so that its CPU time and
// memory are its own: read from /proc/<pid>/stat and /proc/<pid>/status, its counters from its /metrics.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fetch } from 'undici';
import { freePort, waitFor } from '../../src/playground/process.ts';
import { parseSamples, sumBy, total, type Sample } from './prom-text.ts';

const BIN = new URL('../../bin/flagger.js', import.meta.url).pathname;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on every Linux architecture we run on). */
const CLOCK_TICKS = 100;

/** One JSON log line of the controller. */
export interface LogLine {
  ts: string;
  msg: string;
  level?: string;
  canary?: string;
}

export interface ControllerStartOptions {
  kubeconfig: string;
  metricsServer: string;
  /** Extra flags, e.g. -kubeconfig-qps=200. */
  flags?: readonly string[];
  /** Node.js flags, e.g. --max-old-space-size=128. */
  nodeFlags?: readonly string[];
  /** Sees every log line from the process's first one, including those written before it is ready. */
  onLog?: (line: LogLine) => void;
}

/** What the controller has used so far. */
export interface Usage {
  cpuSeconds: number;
  rssMb: number;
  /** Peak resident memory (VmHWM). */
  peakRssMb: number;
}

export class ControllerProcess {
  readonly startedAt: number;
  private readonly child: ChildProcess;
  private readonly port: number;
  private readonly listeners: ((line: LogLine) => void)[] = [];
  private readonly tail: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(child: ChildProcess, port: number, onLog?: (line: LogLine) => void) {
    this.child = child;
    this.port = port;
    this.startedAt = Date.now();
    if (onLog) this.listeners.push(onLog);
    // A benchmark that crashes must not leave the controller running; a benchmark that restarts it many times
    // must not pile up exit handlers.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    this.exited = new Promise(resolve =>
      child.once('exit', () => {
        process.off('exit', killOnExit);
        resolve();
      }),
    );
    if (child.stderr) createInterface({ input: child.stderr }).on('line', line => this.onLine(line));
  }

  /** Starts the controller with the kubernetes provider and waits until it serves /readyz. */
  static async start(options: ControllerStartOptions): Promise<ControllerProcess> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        ...(options.nodeFlags ?? []),
        BIN,
        `-kubeconfig=${options.kubeconfig}`,
        '-mesh-provider=kubernetes',
        `-metrics-server=${options.metricsServer}`,
        `-port=${port}`,
        '-log-level=info',
        // Benchmarks may use intervals below Flagger's 10s floor.
        '-min-analysis-interval=1s',
        ...(options.flags ?? []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const controller = new ControllerProcess(child, port, options.onLog);
    try {
      await waitFor(
        async () => (await controller.get('/readyz').catch(() => undefined))?.ok === true,
        120_000,
        'the controller did not become ready',
        () => controller.tail.join('\n'),
      );
    } catch (err) {
      await controller.stop();
      throw err;
    }
    return controller;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Calls listener with every log line from now on. */
  onLog(listener: (line: LogLine) => void): void {
    this.listeners.push(listener);
  }

  /** The last log lines, for error messages. */
  lastLines(): string {
    return this.tail.join('\n');
  }

  usage(): Usage {
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the line.
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { cpuSeconds: ticks / CLOCK_TICKS, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  }

  /** The samples of /metrics now. */
  async metrics(): Promise<Sample[]> {
    const response = await this.get('/metrics');
    return parseSamples(await response.text());
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 25_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** kill -9: the controller gets no chance to finish what it is doing, as when its node dies. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  private async get(path: string) {
    return fetch(`http://127.0.0.1:${this.port}${path}`, { signal: AbortSignal.timeout(30_000) });
  }

  private onLine(text: string): void {
    this.tail.push(text);
    if (this.tail.length > 40) this.tail.shift();
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    for (const listener of this.listeners) listener(line);
  }
}

/** The controller's own API request counters by verb (flagger_controller_api_requests_total). */
export function apiRequestsByVerb(samples: readonly Sample[]): Map<string, number> {
  return sumBy(samples, 'flagger_controller_api_requests_total', labels => labels.verb);
}

/** Analysis steps run so far: the observations of flagger_canary_duration_seconds (one per step). */
export function analysisSteps(samples: readonly Sample[]): number {
  return total(samples, 'flagger_canary_duration_seconds_count');
}
