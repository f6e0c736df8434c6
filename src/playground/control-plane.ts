// A real, local Kubernetes control plane: etcd, kube-apiserver and kube-controller-manager on free loopback
// ports, authenticated by a static admin token. Used by the integration tests and by `flagger demo`.
// There is no scheduler and no kubelet: the fake kubelet (fake-kubelet.ts) binds pods and reports them ready,
// so the real deployment, replicaset and daemonset controllers compute real rollout status.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../kube/config.ts';
import type { KubeClient } from '../kube/client.ts';
import { findBinaries, type ControlPlaneBinaries } from './binaries.ts';
import { ManagedProcess, freePort, waitFor } from './process.ts';

export interface ControlPlaneOptions {
  /** Extra kube-apiserver flags, e.g. a short --etcd-compaction-interval for watch-expiry tests. */
  apiServerArgs?: string[];
  /** Start kube-controller-manager (default true). */
  controllerManager?: boolean;
  /** Extra kube-controller-manager flags, e.g. a larger --kube-api-qps for benchmarks of thousands of objects. */
  controllerManagerArgs?: string[];
  binaries?: ControlPlaneBinaries;
}

/** A running control plane; stop() ends every process and removes its files. */
export class ControlPlane {
  readonly dir: string;
  readonly binaries: ControlPlaneBinaries;
  readonly kubeconfigPath: string;
  readonly server: string;
  private readonly options: ControlPlaneOptions;
  readonly apiPort: number;
  private readonly etcdPort: number;
  private etcdPeerPort = 0;
  private readonly processes = new Map<string, ManagedProcess>();

  private constructor(options: ControlPlaneOptions, dir: string, etcdPort: number, apiPort: number) {
    this.options = options;
    this.binaries = options.binaries ?? findBinaries();
    this.dir = dir;
    this.etcdPort = etcdPort;
    this.apiPort = apiPort;
    this.server = `https://127.0.0.1:${apiPort}`;
    this.kubeconfigPath = join(dir, 'kubeconfig');
  }

  /** Starts etcd, the API server and (unless disabled) the controller manager, and waits until ready. */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const dir = mkdtempSync(join(tmpdir(), 'flagger-cp-'));
    const plane = new ControlPlane(options, dir, await freePort(), await freePort());
    try {
      plane.writeCredentials();
      await plane.startEtcd(await freePort());
      await plane.startApiServer();
      if (options.controllerManager !== false) plane.startControllerManager();
      return plane;
    } catch (err) {
      await plane.stop();
      throw err;
    }
  }

  /** A new client with admin rights on this control plane, optionally through another address (a proxy). */
  client(options: { fieldManager?: string; server?: string; watchTimeoutSeconds?: number } = {}): KubeClient {
    return connect({
      kubeconfig: this.kubeconfigPath,
      master: options.server,
      fieldManager: options.fieldManager,
      watchTimeoutSeconds: options.watchTimeoutSeconds,
    });
  }

  /** Stops the API server (etcd keeps the data), e.g. to test how clients ride out an outage. */
  async stopApiServer(): Promise<void> {
    await this.processes.get('kube-apiserver')?.stop();
  }

  /** Stops etcd and starts it again on the same ports and data, e.g. to test an outage behind the API server. */
  async restartEtcd(): Promise<void> {
    await this.processes.get('etcd')?.stop();
    await this.startEtcd(this.etcdPeerPort);
  }

  /** Starts the API server again on the same port and waits until it is ready. */
  async startApiServer(): Promise<void> {
    this.spawn('kube-apiserver', this.binaries.kubeApiServer, this.apiServerArgs());
    const client = this.client();
    await waitFor(
      () => client.isReady(),
      90_000,
      'kube-apiserver did not become ready',
      () => this.processes.get('kube-apiserver')?.tail(),
    );
  }

  async stop(): Promise<void> {
    const order = ['kube-controller-manager', 'kube-apiserver', 'etcd'];
    for (const name of order) await this.processes.get(name)?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeCredentials(): void {
    const token = randomBytes(24).toString('hex');
    writeFileSync(join(this.dir, 'tokens.csv'), `${token},admin,admin-uid,"system:masters"\n`);
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(this.dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(this.dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
    // The API server makes its own self-signed serving certificate in --cert-dir; loopback only.
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: local',
      '  cluster:',
      `    server: ${this.server}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: admin',
      '  user:',
      `    token: ${token}`,
      'contexts:',
      '- name: local',
      '  context: {cluster: local, user: admin, namespace: default}',
      'current-context: local',
      '',
    ].join('\n');
    writeFileSync(this.kubeconfigPath, kubeconfig, { mode: 0o600 });
  }

  private async startEtcd(peerPort: number): Promise<void> {
    this.etcdPeerPort = peerPort;
    const client = `http://127.0.0.1:${this.etcdPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    this.spawn('etcd', this.binaries.etcd, [
      '--name=local',
      `--data-dir=${join(this.dir, 'etcd')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=local=${peer}`,
      '--log-level=warn',
    ]);
    await waitFor(
      async () => (await fetch(`${client}/health`).catch(() => undefined))?.ok === true,
      30_000,
      'etcd did not become healthy',
      () => this.processes.get('etcd')?.tail(),
    );
  }

  private apiServerArgs(): string[] {
    return [
      `--etcd-servers=http://127.0.0.1:${this.etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${this.apiPort}`,
      '--insecure-port=0',
      `--cert-dir=${join(this.dir, 'certs')}`,
      `--token-auth-file=${join(this.dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${join(this.dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(this.dir, 'sa.key')}`,
      // Without a kubelet nothing would mount service account tokens; pods need none here.
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      ...(this.options.apiServerArgs ?? []),
    ];
  }

  private startControllerManager(): void {
    this.spawn('kube-controller-manager', this.binaries.kubeControllerManager, [
      `--kubeconfig=${this.kubeconfigPath}`,
      `--master=${this.server}`,
      '--leader-elect=false',
      '--port=0',
      '--secure-port=0',
      '--use-service-account-credentials=false',
      // No kubelet sends node heartbeats, so node lifecycle would evict every pod; the token controller
      // needs a signing key it has no use for here.
      '--controllers=*,-nodelifecycle,-serviceaccount-token',
      '--concurrent-deployment-syncs=5',
      ...(this.options.controllerManagerArgs ?? []),
    ]);
  }

  private spawn(name: string, command: string, args: string[]): void {
    this.processes.set(name, new ManagedProcess(name, command, args, join(this.dir, `${name}.log`)));
  }
}
