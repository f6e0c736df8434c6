// A real Prometheus for the demo and the tests: started on a free loopback port with a temporary config and
// TSDB, scraping the given targets every second (so short analysis intervals see fresh samples). The binary is
// FLAGGER_PROMETHEUS, else prometheus from the PATH or /usr/bin (scripts/setup-control-plane.sh installs Debian's
// package).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fetch } from 'undici';
import { onPath } from './binaries.ts';
import { ManagedProcess, freePort, waitFor } from './process.ts';

export class PrometheusServer {
  readonly url: string;
  private readonly process: ManagedProcess;
  private readonly dir: string;

  private constructor(url: string, process: ManagedProcess, dir: string) {
    this.url = url;
    this.process = process;
    this.dir = dir;
  }

  /** Starts Prometheus scraping `targets` (host:port, path /metrics) and waits until it is ready. */
  static async start(targets: string[]): Promise<PrometheusServer> {
    const dir = mkdtempSync(join(tmpdir(), 'flagger-prometheus-'));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: playground',
        '    static_configs:',
        `      - targets: [${targets.map(target => `'${target}'`).join(', ')}]`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const child = new ManagedProcess(
      'prometheus',
      prometheusBinary(),
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
      ],
      join(dir, 'prometheus.log'),
    );
    const server = new PrometheusServer(`http://127.0.0.1:${port}`, child, dir);
    try {
      await waitFor(
        () => server.ready(),
        30_000,
        'prometheus did not become ready',
        () => child.tail(),
      );
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async ready(): Promise<boolean> {
    if (!this.process.alive) throw new Error(`prometheus exited:\n${this.process.tail()}`);
    try {
      return (await fetch(`${this.url}/-/ready`)).ok;
    } catch {
      return false;
    }
  }
}

function prometheusBinary(): string {
  const fromEnv = process.env.FLAGGER_PROMETHEUS;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const found = onPath('prometheus', {
    PATH: [process.env.PATH, '/usr/bin'].filter(Boolean).join(delimiter),
  });
  if (found !== undefined) return found;
  throw new Error('prometheus not found: run `npm run setup:control-plane` or set FLAGGER_PROMETHEUS');
}
