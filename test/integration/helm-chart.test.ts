// The Helm charts (deploy/charts) with Flagger's values, rendered by the program of
// scripts/setup-helm-renderer.sh (`helm template`'s arguments; FLAGGER_HELM may name a real helm): each value
// set gives the controller flags and the objects it should, the RBAC is the kustomize install's, and the API
// server accepts every rendering in a server-side dry run; one of each chart is installed for real.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Deployment, KubeObject } from '../../src/kube/types.ts';
import { parseLoadTesterFlags } from '../../src/loadtester/flags.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { useCluster } from '../harness/cluster.ts';
import {
  ChartRenderer,
  container,
  find,
  flagsOf,
  kinds,
  parseManifests as parse,
  standIn,
  type Rendering,
} from '../harness/helm-charts.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const exec = promisify(execFile);

type Rules = { rules: unknown[] };

const CLUSTER_SCOPED = ['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PodSecurityPolicy'];

describe('Helm charts on a Kubernetes 1.20 API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  const work = mkdtempSync(join(tmpdir(), 'flagger-helm-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  let charts: ChartRenderer;
  const render = (...args: Parameters<ChartRenderer['render']>) => charts.render(...args);

  const kubectl = async (...args: string[]) =>
    (
      await exec(cluster.plane.binaries.kubectl, ['--kubeconfig', cluster.plane.kubeconfigPath, ...args], {
        maxBuffer: 16 * 1024 * 1024,
      })
    ).stdout;

  before(async () => {
    charts = new ChartRenderer(work, (await cluster.client.serverVersion()).gitVersion);
    await installCrds(cluster.client, [
      standIn('monitoring.coreos.com', 'v1', 'PodMonitor'),
      standIn('monitoring.coreos.com', 'v1', 'ServiceMonitor'),
      standIn('policy.linkerd.io', 'v1alpha1', 'AuthorizationPolicy'),
      standIn('networking.istio.io', 'v1beta1', 'VirtualService'),
      standIn('networking.istio.io', 'v1beta1', 'Gateway'),
      standIn('appmesh.k8s.aws', 'v1beta2', 'VirtualNode'),
    ]);
    for (const name of ['flagger-system', 'istio-system', 'apps', 'linkerd-viz', 'monitoring'])
      await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  });

  /** Applies the rendering as a server-side dry run: every object accepted, each in its own namespace. */
  async function dryRun({ objects, file }: Rendering): Promise<void> {
    for (const { kind = '', metadata } of objects)
      assert.equal(
        !metadata?.namespace,
        CLUSTER_SCOPED.includes(kind),
        `${kind} ${metadata?.name}: namespace`,
      );
    const out = (await kubectl('apply', '--dry-run=server', '-f', file)).trim().split('\n');
    assert.equal(out.length, objects.length, out.join('\n'));
    for (const line of out) assert.match(line, /\(server dry run\)$/);
  }

  /** The rules of a role of a kustomize install. */
  async function kustomizeRules(dir: string, kind: string, name: string): Promise<unknown[]> {
    const objects = parse(await kubectl('kustomize', join(ROOT, 'deploy/kustomize', dir)));
    return (find(objects, kind, name) as Rules).rules;
  }

  it("defaults: Flagger's default flags, the kustomize ClusterRole and pod, no CRDs", async () => {
    const r = await render('flagger', 'flagger-system');
    assert.deepEqual(kinds(r), [
      'ServiceAccount/flagger',
      'ClusterRole/flagger',
      'ClusterRoleBinding/flagger',
      'Deployment/flagger',
    ]);
    assert.deepEqual(flagsOf(r.objects).args, [
      '-log-level=info',
      '-metrics-server=http://prometheus:9090',
      '-enable-config-tracking=true',
      '-slack-user=flagger',
    ]);
    assert.deepEqual(
      (find(r.objects, 'ClusterRole', 'flagger') as Rules).rules,
      await kustomizeRules('base', 'ClusterRole', 'flagger'),
    );
    const binding = find(r.objects, 'ClusterRoleBinding', 'flagger') as { subjects: unknown };
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: 'flagger', namespace: 'flagger-system' },
    ]);
    const kustomized = container(parse(await kubectl('kustomize', join(ROOT, 'deploy/kustomize/base'))));
    const { pod, container: flagger } = container(r.objects);
    assert.equal(pod.spec?.serviceAccountName, 'flagger');
    assert.deepEqual(flagger.command, ['flagger']);
    for (const field of ['ports', 'livenessProbe', 'readinessProbe', 'volumeMounts'] as const)
      assert.deepEqual(flagger[field], kustomized.container[field], field);
    assert.deepEqual(pod.spec.volumes, kustomized.pod.spec?.volumes);
    const security = flagger.securityContext;
    assert.equal(security?.runAsNonRoot, true);
    assert.equal(security.readOnlyRootFilesystem, true);
    assert.equal(security.allowPrivilegeEscalation, false);
    assert.deepEqual(security.capabilities?.drop, ['ALL']);
    assert.equal(pod.metadata?.annotations?.['prometheus.io/port'], '8080');
    await dryRun(r);
  });

  it('istio: the provider and its Prometheus; installed, the Deployment exists', async () => {
    const r = await render('flagger', 'istio-system', {
      meshProvider: 'istio',
      metricsServer: 'http://prometheus.istio-system:9090',
    });
    const { flags } = flagsOf(r.objects);
    assert.equal(flags['mesh-provider'], 'istio');
    assert.equal(flags['metrics-server'], 'http://prometheus.istio-system:9090');
    await dryRun(r);
    await kubectl('apply', '-f', r.file);
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'flagger', namespace: 'istio-system' };
    const installed = await cluster.client.get<Deployment>(ref);
    assert.deepEqual(installed.spec?.template.spec?.containers[0]?.args, flagsOf(r.objects).args);
  });

  it('linkerd in single-namespace mode: a Role and the lease in that namespace only', async () => {
    const r = await render('flagger', 'flagger-system', {
      meshProvider: 'linkerd',
      metricsServer: 'http://prometheus.linkerd-viz:9090',
      namespace: 'apps',
      leaderElection: { enabled: true },
      linkerdAuthPolicy: { create: true },
    });
    assert.deepEqual(
      r.objects.filter(o => o.kind?.startsWith('Cluster')).map(o => o.kind),
      [],
    );
    const role = find(r.objects, 'Role', 'flagger') as Rules & KubeObject;
    assert.equal(role.metadata?.namespace, 'apps');
    assert.deepEqual(role.rules, await kustomizeRules('namespaced', 'Role', 'flagger'));
    for (const name of ['flagger', 'flagger-leader-election']) {
      const binding = find(r.objects, 'RoleBinding', name) as KubeObject & { subjects: unknown };
      assert.equal(binding.metadata?.namespace, 'apps');
      assert.deepEqual(binding.subjects, [
        { kind: 'ServiceAccount', name: 'flagger', namespace: 'flagger-system' },
      ]);
    }
    assert.equal(find(r.objects, 'Role', 'flagger-leader-election').metadata?.namespace, 'apps');
    assert.equal(
      find(r.objects, 'AuthorizationPolicy', 'prometheus-admin-flagger').metadata?.namespace,
      'linkerd-viz',
    );
    const { flags } = flagsOf(r.objects);
    assert.equal(flags.namespace, 'apps');
    assert.equal(flags['mesh-provider'], 'linkerd');
    await dryRun(r);
  });

  it('notifications: Slack, MS Teams, the event webhook, the cluster name, env from Secrets', async () => {
    const env = [{ name: 'SLACK_TOKEN', valueFrom: { secretKeyRef: { name: 'slack', key: 'token' } } }];
    const r = await render('flagger', 'flagger-system', {
      slack: {
        url: 'https://hooks.slack.com/x',
        channel: 'releases',
        user: 'bot',
        proxyUrl: 'http://proxy:3128',
      },
      msteams: { url: 'https://teams.example/hook', proxyUrl: 'http://proxy:3128' },
      eventWebhook: 'http://events.example/hook',
      clusterName: 'prod-eu',
      env,
    });
    const { flags } = flagsOf(r.objects);
    assert.deepEqual(
      [flags['slack-url'], flags['slack-channel'], flags['slack-user'], flags['slack-proxy-url']],
      ['https://hooks.slack.com/x', 'releases', 'bot', 'http://proxy:3128'],
    );
    assert.deepEqual(
      [flags['msteams-url'], flags['msteams-proxy-url'], flags['event-webhook'], flags['cluster-name']],
      ['https://teams.example/hook', 'http://proxy:3128', 'http://events.example/hook', 'prod-eu'],
    );
    assert.deepEqual(container(r.objects).container.env, env);
    await dryRun(r);
  });

  it('leader election with two replicas and a PodDisruptionBudget of this Kubernetes version', async () => {
    const r = await render(
      'flagger',
      'flagger-system',
      {},
      ...[
        '--set',
        'leaderElection.enabled=true,leaderElection.replicaCount=2',
        '--set',
        'podDisruptionBudget.enabled=true',
      ],
    );
    const deployment = find(r.objects, 'Deployment', 'flagger') as Deployment;
    assert.equal(deployment.spec?.replicas, 2);
    assert.deepEqual(deployment.spec.strategy?.rollingUpdate, { maxSurge: 1, maxUnavailable: 0 });
    const { flags } = flagsOf(r.objects);
    assert.equal(flags['enable-leader-election'], true);
    assert.equal(flags['leader-election-namespace'], 'flagger-system');
    assert.deepEqual(
      (find(r.objects, 'Role', 'flagger-leader-election') as Rules).rules,
      await kustomizeRules('base', 'Role', 'flagger-leader-election'),
    );
    const pdb = find(r.objects, 'PodDisruptionBudget', 'flagger') as KubeObject & {
      spec: { selector: unknown };
    };
    assert.equal(pdb.apiVersion, 'policy/v1beta1', 'policy/v1 is served from Kubernetes 1.21');
    assert.deepEqual(pdb.spec.selector, deployment.spec.selector);
    await dryRun(r);
  });

  it('CRDs: none by default, from crds/ with --include-crds, as templates with crd.create', async () => {
    const generated = parse(readFileSync(join(ROOT, 'deploy/crds/crds.yaml'), 'utf8'));
    const crds = (r: Rendering) => r.objects.filter(o => o.kind === 'CustomResourceDefinition');
    assert.deepEqual(crds(await render('flagger', 'flagger-system', { crd: { create: false } })), []);
    assert.deepEqual(crds(await render('flagger', 'flagger-system', {}, '--include-crds')), generated);
    const created = await render('flagger', 'flagger-system', { crd: { create: true } });
    assert.deepEqual(crds(created), generated);
    await dryRun(created);
  });

  it('monitoring: PodMonitor, ServiceMonitor with its Service, and the bundled Prometheus', async () => {
    const r = await render('flagger', 'flagger-system', {
      podMonitor: { enabled: true, namespace: 'monitoring', additionalLabels: { release: 'prom' } },
      serviceMonitor: { enabled: true },
      prometheus: { install: true },
    });
    assert.equal(flagsOf(r.objects).flags['metrics-server'], 'http://flagger-prometheus:9090');
    const podMonitor = find(r.objects, 'PodMonitor', 'flagger');
    assert.equal(podMonitor.metadata?.namespace, 'monitoring');
    assert.equal(podMonitor.metadata.labels?.release, 'prom');
    find(r.objects, 'ServiceMonitor', 'flagger');
    find(r.objects, 'Service', 'flagger');
    find(r.objects, 'Deployment', 'flagger-prometheus');
    find(r.objects, 'Service', 'flagger-prometheus');
    await dryRun(r);
  });

  it('every other value: its flag or field', async () => {
    const r = await render('flagger', 'flagger-system', {
      ...{ logLevel: 'debug', selectorLabels: 'app', configTracking: { enabled: false }, threadiness: 4 },
      ...{ ingressAnnotationsPrefix: 'custom.ingress.kubernetes.io', ingressClass: 'contour' },
      ...{ includeLabelPrefix: 'app.kubernetes.io', kubeconfigQPS: 50, kubeconfigBurst: 80 },
      ...{ noCrossNamespaceRefs: true, controlplane: { kubeconfig: { secretName: 'mesh' } } },
      ...{ fullnameOverride: 'canary-operator', serviceAccount: { create: false, name: 'existing' } },
      image: { repository: 'registry.example/flagger', tag: '1.2.3', pullSecret: 'registry' },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Exists' }],
      podLabels: { team: 'platform' },
      additionalVolumes: [{ name: 'sidecar', emptyDir: {} }],
    });
    const { flags } = flagsOf(r.objects, 'canary-operator');
    assert.deepEqual(
      [flags['log-level'], flags['selector-labels'], flags['enable-config-tracking'], flags.threadiness],
      ['debug', 'app', false, 4],
    );
    assert.deepEqual(
      [flags['ingress-annotations-prefix'], flags['ingress-class'], flags['include-label-prefix']],
      ['custom.ingress.kubernetes.io', 'contour', 'app.kubernetes.io'],
    );
    assert.deepEqual([flags['kubeconfig-qps'], flags['kubeconfig-burst']], [50, 80]);
    assert.equal(flags['no-cross-namespace-refs'], true);
    assert.equal(flags['kubeconfig-service-mesh'], '/tmp/controlplane/kubeconfig');
    const { pod, container: flagger } = container(r.objects, 'canary-operator');
    assert.equal(flagger.image, 'registry.example/flagger:1.2.3');
    assert.deepEqual(pod.spec?.imagePullSecrets, [{ name: 'registry' }]);
    assert.equal(pod.spec.serviceAccountName, 'existing');
    assert.equal(pod.metadata?.labels?.team, 'platform');
    assert.deepEqual(pod.spec.nodeSelector, { 'kubernetes.io/os': 'linux' });
    assert.deepEqual(pod.spec.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
    assert.deepEqual(
      pod.spec.volumes?.map(v => v.name),
      ['tmp', 'kubeconfig', 'sidecar'],
    );
    assert.ok(!kinds(r).includes('ServiceAccount/existing'));
    await dryRun(r);
  });

  it('deploymentLabels on the Deployment only; additionalVolumes mounted by additionalVolumeMounts', async () => {
    const r = await render('flagger', 'flagger-system', {
      deploymentLabels: { team: 'platform', tier: 1 },
      additionalVolumes: [{ name: 'certs', secret: { secretName: 'ca' } }],
      additionalVolumeMounts: [{ name: 'certs', mountPath: '/etc/certs', readOnly: true }],
    });
    const deployment = find(r.objects, 'Deployment', 'flagger') as Deployment;
    assert.equal(deployment.metadata?.labels?.team, 'platform');
    assert.equal(deployment.metadata.labels.tier, '1', 'quoted, as Flagger renders label values');
    assert.equal(deployment.metadata.labels['app.kubernetes.io/name'], 'flagger');
    const { pod, container: flagger } = container(r.objects);
    assert.equal(pod.metadata?.labels?.team, undefined);
    assert.deepEqual(pod.spec?.volumes?.at(-1), { name: 'certs', secret: { secretName: 'ca' } });
    assert.deepEqual(flagger.volumeMounts?.at(-1), {
      name: 'certs',
      mountPath: '/etc/certs',
      readOnly: true,
    });
    await dryRun(r);
  });

  it('rbac.create=false installs no role', async () => {
    const r = await render('flagger', 'flagger-system', { rbac: { create: false } });
    assert.deepEqual(kinds(r), ['ServiceAccount/flagger', 'Deployment/flagger']);
  });

  it('rbac.pspEnabled: a PodSecurityPolicy the service account may use where served, else a note', async () => {
    const values = { rbac: { pspEnabled: true } };
    // `helm install` finds the kind among this cluster's resources (served until Kubernetes 1.25); `helm template`
    // is told.
    assert.match(await kubectl('api-resources', '--api-group=policy'), /\sPodSecurityPolicy\n/);
    const withPsp = ['--api-versions', 'policy/v1beta1/PodSecurityPolicy'];
    const r = await render('flagger', 'flagger-system', values, ...withPsp);
    find(r.objects, 'PodSecurityPolicy', 'flagger');
    assert.deepEqual((find(r.objects, 'ClusterRole', 'flagger-psp') as Rules).rules, [
      {
        apiGroups: ['policy'],
        resources: ['podsecuritypolicies'],
        verbs: ['use'],
        resourceNames: ['flagger'],
      },
    ]);
    const binding = find(r.objects, 'RoleBinding', 'flagger-psp') as KubeObject & { subjects: unknown };
    assert.equal(binding.metadata?.namespace, 'flagger-system');
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: 'flagger', namespace: 'flagger-system' },
    ]);
    await dryRun(r);
    const notes = await charts.notes('flagger-system', values, ...withPsp);
    assert.match(notes, /^Flagger is installed in flagger-system\./);
    assert.doesNotMatch(notes, /pspEnabled/);

    // Where PodSecurityPolicy is not served (Kubernetes 1.25 and later, or `helm template` without a cluster).
    const without = await render('flagger', 'flagger-system', values);
    assert.deepEqual(kinds(without), [
      'ServiceAccount/flagger',
      'ClusterRole/flagger',
      'ClusterRoleBinding/flagger',
      'Deployment/flagger',
    ]);
    assert.match(
      await charts.notes('flagger-system', values),
      /\nrbac\.pspEnabled: skipped, this cluster does not serve PodSecurityPolicy/,
    );
    assert.doesNotMatch(await charts.notes('flagger-system'), /pspEnabled/);
  });

  it("loadtester defaults: Flagger's port 8080 behind port 80, no API token; installed", async () => {
    const r = await render('loadtester', 'apps');
    assert.deepEqual(kinds(r), ['Service/flagger-loadtester', 'Deployment/flagger-loadtester']);
    const { pod, container: loadtester } = container(r.objects, 'flagger-loadtester');
    assert.deepEqual(loadtester.command, ['flagger-loadtester']);
    const flags = parseLoadTesterFlags(loadtester.args ?? []);
    assert.deepEqual([flags.port, flags.logLevel, flags.timeoutMs], [8080, 'info', 3_600_000]);
    assert.equal(flags.authTokenFile, '', 'open to every caller, as Flagger');
    assert.equal(pod.spec?.automountServiceAccountToken, false);
    assert.equal(loadtester.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(loadtester.readinessProbe?.httpGet?.path, '/healthz');
    const service = find(r.objects, 'Service', 'flagger-loadtester') as { spec: { ports: unknown } };
    assert.deepEqual(service.spec.ports, [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    await dryRun(r);
    await kubectl('apply', '-f', r.file);
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'flagger-loadtester', namespace: 'apps' };
    assert.equal((await cluster.client.get<Deployment>(ref)).spec?.replicas, 1);
  });

  it('loadtester with Istio, App Mesh, cluster RBAC, a PodDisruptionBudget and a namespace restriction', async () => {
    const rules = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }];
    const r = await render('loadtester', 'apps', {
      cmd: { timeout: '5m', namespaceRegexp: '^apps$' },
      istio: { enabled: true, gateway: { enabled: true } },
      appmesh: { enabled: true, backends: ['podinfo', 'podinfo-canary'] },
      rbac: { create: true, scope: 'cluster', rules },
      podDisruptionBudget: { enabled: true },
    });
    const { pod, container: loadtester } = container(r.objects, 'flagger-loadtester');
    const flags = parseLoadTesterFlags(loadtester.args ?? []);
    assert.deepEqual([flags.timeoutMs, flags.namespaceRegexp], [300_000, '^apps$']);
    assert.equal(pod.spec?.serviceAccountName, 'flagger-loadtester');
    assert.deepEqual((find(r.objects, 'ClusterRole', 'flagger-loadtester') as Rules).rules, rules);
    for (const kind of ['ServiceAccount', 'ClusterRoleBinding', 'VirtualService', 'Gateway', 'VirtualNode'])
      find(r.objects, kind, 'flagger-loadtester');
    assert.equal(find(r.objects, 'PodDisruptionBudget', 'flagger-loadtester').apiVersion, 'policy/v1beta1');
    await dryRun(r);
  });

  it('loadtester with authTokenSecret: the Secret mounted as a directory and named by -auth-token-file', async () => {
    const r = await render('loadtester', 'apps', { authTokenSecret: 'loadtester-token' });
    const { pod, container: loadtester } = container(r.objects, 'flagger-loadtester');
    assert.equal(
      parseLoadTesterFlags(loadtester.args ?? []).authTokenFile,
      '/etc/flagger-loadtester/auth/token',
    );
    assert.deepEqual(
      loadtester.volumeMounts?.find(m => m.name === 'auth-token'),
      { name: 'auth-token', mountPath: '/etc/flagger-loadtester/auth', readOnly: true },
    );
    assert.deepEqual(pod.spec?.volumes?.find(v => v.name === 'auth-token')?.secret, {
      secretName: 'loadtester-token',
      items: [{ key: 'token', path: 'token' }],
    });
    assert.equal(loadtester.readinessProbe?.httpGet?.path, '/healthz', 'the probes need no token');
    await dryRun(r);
  });
});
