// What the demo shows while a release runs: the controller's own log lines about the canary (the events of the
// tutorial), and a progress line whenever the canary's status moves (phase, weights, failed checks, iterations)
// with what the data plane served lately, per version.
import { Writable } from 'node:stream';
import type { Canary } from '../../api/canary.ts';
import { API_VERSION } from '../../api/crds.ts';
import type { KubeClient } from '../../kube/client.ts';
import { Informer } from '../../kube/informer.ts';
import { createLogger, type Logger } from '../../logging/logger.ts';
import type { VersionStats } from '../../playground/istio-telemetry.ts';
import { waitFor } from '../../playground/process.ts';
import { phasePaint, type Palette } from '../commands/table.ts';

export type Out = (line: string) => void;

/** The controller's logger, reduced to what it says about canaries: "podinfo.test  Advance ...". */
export function narrator(out: Out, colors: Palette): Logger {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { canary?: string; msg?: string; level?: string };
        if (entry.canary === undefined || entry.level === 'debug') continue;
        const paint = entry.level === 'info' ? (text: string) => text : colors.yellow;
        out(`  ${colors.dim(entry.canary)}  ${paint(entry.msg ?? '')}`);
      }
      done();
    },
  });
  return createLogger({ level: 'info', destination });
}

/** One progress line: the canary's state, then the traffic of the last seconds. */
export function progressLine(
  canary: Canary,
  traffic: { stats: VersionStats[]; seconds: number },
  colors: Palette,
): string {
  const status = canary.status ?? {};
  const phase = status.phase ?? 'Unknown';
  const weight = status.canaryWeight ?? 0;
  const threshold = canary.spec.analysis.threshold ?? 0;
  const state = [
    phasePaint(colors, phase)(phase.padEnd(11)),
    `canary ${String(weight).padStart(2)}% / primary ${String(100 - weight).padStart(3)}%`,
    `failed checks ${status.failedChecks ?? 0}/${threshold}`,
    `iterations ${status.iterations ?? 0}`,
  ];
  const served = traffic.stats.map(s => {
    const rate = `${s.successRate.toFixed(1)}% ok`;
    const p99 = `p99 ${Math.round(s.p99Ms)}ms`;
    return `${s.version} ${s.successRate < 99 ? colors.red(rate) : colors.green(rate)} ${p99}`;
  });
  const trafficText = served.length > 0 ? served.join(', ') : 'no requests';
  return `  ${colors.cyan('▸')} ${state.join(' · ')} ${colors.dim('|')} last ${traffic.seconds}s: ${trafficText}`;
}

/** What a progress line is printed for. */
function stateKey(canary: Canary): string {
  const s = canary.status ?? {};
  return [s.phase, s.canaryWeight, s.failedChecks, s.iterations].join('|');
}

/** Watches the demo's canary: prints progress lines and waits for states. */
export class CanaryProgress {
  private readonly informer: Informer<Canary>;
  private readonly key: string;

  constructor(
    kube: KubeClient,
    options: {
      namespace: string;
      name: string;
      out: Out;
      colors: Palette;
      traffic: () => { stats: VersionStats[]; seconds: number };
      logger: Logger;
    },
  ) {
    const { namespace, out, colors, traffic } = options;
    this.key = `${namespace}/${options.name}`;
    this.informer = new Informer<Canary>(kube, {
      apiVersion: API_VERSION,
      kind: 'Canary',
      namespace,
      logger: options.logger,
    });
    const show = (canary: Canary) => out(progressLine(canary, traffic(), colors));
    this.informer.addHandlers({
      onAdd: canary => {
        if (canary.status !== undefined) show(canary);
      },
      onUpdate: (before, after) => {
        if (stateKey(before) !== stateKey(after)) show(after);
      },
    });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.synced;
  }

  stop(): void {
    this.informer.stop();
  }

  /** Waits until the canary satisfies `done`; the demo's Ctrl-C aborts the wait. */
  async until(
    done: (canary: Canary) => boolean,
    what: string,
    signal: AbortSignal,
    timeoutMs = 300_000,
  ): Promise<Canary> {
    let reached: Canary | undefined;
    await waitFor(
      () => {
        signal.throwIfAborted();
        const canary = this.informer.get(this.key);
        if (canary !== undefined && done(canary)) reached = canary;
        return reached !== undefined;
      },
      timeoutMs,
      `${what} did not happen within ${timeoutMs / 1000}s`,
    );
    return reached as Canary;
  }
}
