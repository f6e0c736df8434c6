// Everything a benchmark runs on: a local control plane with the fake kubelet and our CRDs, the fake Prometheus,
// the benchmark's watch on Canaries and, once started, the controller in its own process.
import type { KubeClient } from '../../src/kube/client.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { ControlPlane } from '../../src/playground/control-plane.ts';
import { FakeKubelet } from '../../src/playground/fake-kubelet.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { ControllerProcess, type LogLine } from './controller-process.ts';
import { FakePrometheus } from './fake-prometheus.ts';
import { Fleet } from './fleet.ts';

/** What every controller an environment starts gets: its flags and its process's Node.js flags. */
export interface ControllerArgs {
  flags: readonly string[];
  nodeFlags: readonly string[];
}

export class BenchEnv {
  readonly plane: ControlPlane;
  readonly kube: KubeClient;
  readonly kubelet: FakeKubelet;
  readonly prometheus: FakePrometheus;
  readonly fleet: Fleet;
  private controllerProcess: ControllerProcess | undefined;
  private readonly controllerArgs: ControllerArgs;
  private readonly controllerLogListeners: ((line: LogLine) => void)[] = [];

  private constructor(plane: ControlPlane, prometheus: FakePrometheus, controllerArgs: ControllerArgs) {
    this.plane = plane;
    this.kube = plane.client({ fieldManager: 'bench' });
    this.kubelet = new FakeKubelet(plane.client({ fieldManager: 'fake-kubelet' }), {
      logger: silentLogger(),
    });
    this.prometheus = prometheus;
    this.fleet = new Fleet(this.kube);
    this.controllerArgs = controllerArgs;
  }

  /** controllerArgs: extra flags of every controller this environment starts. */
  static async start(controllerArgs: ControllerArgs = { flags: [], nodeFlags: [] }): Promise<BenchEnv> {
    // kube-controller-manager's own client budget (20 requests/s by default) would make the rollouts of thousands
    // of Deployments take most of a run: the controller under test would wait for it, and that is not its cost.
    const plane = await ControlPlane.start({
      controllerManagerArgs: ['--kube-api-qps=500', '--kube-api-burst=1000'],
    });
    let prometheus: FakePrometheus | undefined;
    try {
      prometheus = await FakePrometheus.start();
      const env = new BenchEnv(plane, prometheus, controllerArgs);
      await env.kubelet.start();
      await installCrds(env.kube);
      await env.fleet.start();
      return env;
    } catch (err) {
      await prometheus?.stop();
      await plane.stop();
      throw err;
    }
  }

  get controller(): ControllerProcess {
    if (!this.controllerProcess) throw new Error('the controller is not started');
    return this.controllerProcess;
  }

  /** Calls listener with every log line of every controller started from now on, from its first line. */
  onControllerLog(listener: (line: LogLine) => void): void {
    this.controllerLogListeners.push(listener);
  }

  async startController(): Promise<ControllerProcess> {
    this.controllerProcess = await ControllerProcess.start({
      kubeconfig: this.plane.kubeconfigPath,
      metricsServer: this.prometheus.url,
      flags: this.controllerArgs.flags,
      nodeFlags: this.controllerArgs.nodeFlags,
      onLog: line => {
        for (const listener of this.controllerLogListeners) listener(line);
      },
    });
    return this.controllerProcess;
  }

  /** kill -9 the controller and start a new one with the same flags. */
  async restartController(): Promise<ControllerProcess> {
    await this.controllerProcess?.kill();
    return this.startController();
  }

  async stop(): Promise<void> {
    await this.controllerProcess?.stop();
    this.fleet.stop();
    this.kubelet.stop();
    await this.prometheus.stop();
    await this.plane.stop();
  }
}
