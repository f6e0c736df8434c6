// The kustomize install (deploy/kustomize): every kustomization renders and the API server accepts it,
// and the controller's ServiceAccount holds exactly the permissions the code uses. The control plane
// enforces RBAC and runs the OwnerReferencesPermissionEnforcement admission plugin; the controller runs in
// this process with a token of the installed ServiceAccount through full releases, and the API server's
// audit log shows what it asked for.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { Canary, CanaryAnalysis } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import { parseProvider, type Provider } from '../../src/api/providers.ts';
import { ControllerRuntime, optionsFromFlags } from '../../src/cli/controller-runtime.ts';
import { parseFlags } from '../../src/cli/flags.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { connect } from '../../src/kube/config.ts';
import { KubeApiError } from '../../src/kube/errors.ts';
import { LeaderElector } from '../../src/kube/leader-election.ts';
import type { Deployment, KubeObject, Secret } from '../../src/kube/types.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { istioCrds } from '../../src/playground/istio-crds.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { providerCrds } from '../harness/router-fixtures.ts';
import { podinfoCanary, podinfoConfig, podinfoDeployment, setImage } from '../harness/workloads.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const KUSTOMIZE = join(ROOT, 'deploy/kustomize');
const exec = promisify(execFile);

// ---------------------------------------------------------------------------------------------------------
// What the controller uses, verb by verb, and the code that uses it: the anchor (last column) must occur in
// the file, so that a verb whose code goes away fails this test until it leaves the roles too. Scope `lease`:
// the leader-election Role (controller/leader-election.yaml); `cluster`: the ClusterRole only (a
// cluster-scoped kind, which the Role of namespaced/ cannot grant); otherwise both the ClusterRole (base/)
// and that Role.
// Columns: group | resource | verbs | scope | file | anchor
// ---------------------------------------------------------------------------------------------------------
const NEEDS = table(`
# Canary informer; each tick re-reads its Canary; the finalizer is added and removed by metadata updates.
flagger.app | canaries | list watch | | src/controller/controller.ts | new Informer<Canary>(deps.kube
flagger.app | canaries | get | | src/scheduler/advance.ts | deps.kube.tryGet<Canary>(
flagger.app | canaries | update | | src/scheduler/status-writer.ts | change.apply(fresh.metadata)
flagger.app | canaries/status | update | | src/scheduler/status-writer.ts | { status: true }
# Generated objects point at their Canary with blockOwnerDeletion, which the admission plugin
# OwnerReferencesPermissionEnforcement allows only with update on the owner's finalizers.
flagger.app | canaries/finalizers | update | | src/api/generated-objects.ts | blockOwnerDeletion: true
flagger.app | metrictemplates | list watch | | src/cli/controller-runtime.ts | new Informer<MetricTemplate>(kube
flagger.app | alertproviders | get | | src/notifiers/alerter.ts | kube.get<KubeObject & AlertProvider>(
# Our CRDs, read at start-up to report fields an older CRD drops (only these three, by name).
apiextensions.k8s.io | customresourcedefinitions | get | cluster | src/controller/crd-check.ts | kind: 'CustomResourceDefinition'
# Targets: watched for new revisions, read, primary created and promoted, target scaled.
apps | deployments daemonsets | list watch | | src/controller/dependencies.ts | watch(workloads('DaemonSet'))
apps | deployments daemonsets | get | | src/targets/pod-workload.ts | getQuery<T>(this.kube, this.targetRef(canary)
apps | deployments daemonsets | create | | src/targets/pod-workload.ts | await this.kube.create<T>(primary)
apps | deployments daemonsets | update | | src/targets/pod-workload.ts | await this.kube.modify<T>(ref, primary
apps | deployments | patch | | src/targets/deployment.ts | this.kube.patch(ref, 'merge', { spec: { replicas } })
apps | daemonsets | patch | | src/targets/daemonset.ts | nodeSelector: { [SCALE_TO_ZERO_KEY]: value }
# The apex, -primary and -canary Services: read, created, and updated through upsert's modify.
 | services | get create update | | src/routers/service-router.ts | upsert<Service>(this.kube
 | services | list watch | | src/controller/dependencies.ts | deleted: generatedService
# Config tracking: watched, read, copied to -primary; Secrets also hold notifier and provider credentials.
 | configmaps secrets | list watch | | src/controller/dependencies.ts | kind: 'ConfigMap', updated: tracks(
 | configmaps secrets | get | | src/targets/config-tracker.ts | source = await this.kube.get({ apiVersion: 'v1'
 | configmaps secrets | create | | src/targets/config-tracker.ts | await this.kube.create(build(undefined))
 | configmaps secrets | update | | src/targets/config-tracker.ts | this.kube.modify<ConfigMap | Secret>(ref
# Webhook secretRef tokens (extension), read in the canary's namespace for each call.
 | secrets | get | | src/webhooks/secret-token.ts | await secrets.get(namespace, name)
 | events | create | | src/kube/events.ts | this.client.create<CoreEvent>(
 | events | patch | | src/kube/events.ts | await this.client.patch(
# The -primary autoscalers, copied from the target's; KEDA's target ScaledObject is paused by annotation.
autoscaling | horizontalpodautoscalers | get create update | | src/targets/scalers/hpa.ts | reconcilePrimaryCopy(
keda.sh | scaledobjects | get create update | | src/targets/scalers/keda.ts | reconcilePrimaryCopy(
keda.sh | scaledobjects | patch | | src/targets/scalers/keda.ts | this.kube.patch(ref, 'merge', { metadata
# Routers. Contour, Gloo's RouteTable and Traefik go through split-object.ts (upsert, get, modify).
networking.k8s.io | ingresses | get create update | | src/routers/canary-ingress.ts | upsert<Ingress>(deps.kube
networking.k8s.io | ingresses | delete | | src/routers/skipper.ts | this.kube.delete(ref
networking.istio.io | virtualservices | get create update | | src/routers/istio.ts | upsert<VirtualService>(
networking.istio.io | destinationrules | get create update | | src/routers/istio-destination-rules.ts | upsert<DestinationRule>(
split.smi-spec.io | trafficsplits | get create update | | src/routers/smi.ts | upsert<TrafficSplit>(
appmesh.k8s.aws | virtualnodes | get create update | | src/routers/appmesh-v1beta2.ts | upsert<VirtualNode>(
appmesh.k8s.aws | virtualrouters | get create update | | src/routers/appmesh-v1beta2.ts | upsert<VirtualRouter>(
appmesh.k8s.aws | virtualservices | get create update | | src/routers/appmesh-v1beta1.ts | upsert<VirtualService>(
projectcontour.io | httpproxies | get create update | | src/routers/contour.ts | kind: 'HTTPProxy'
gateway.networking.k8s.io | httproutes | get create update | | src/routers/gateway-api.ts | upsert<HttpRoute>(
gloo.solo.io | upstreams | get create update | | src/routers/gloo-upstreams.ts | deps.kube.create<Upstream>(
gateway.solo.io | routetables | get create update | | src/routers/gloo.ts | kind: 'RouteTable'
traefik.io | traefikservices | get create update | | src/routers/traefik.ts | kind: 'TraefikService'
kuma.io | trafficroutes | get create update | cluster | src/routers/kuma.ts | upsert<TrafficRoute>(
apisix.apache.org | apisixroutes | get create update | | src/routers/apisix.ts | upsert<ApisixRoute>(
serving.knative.dev | services | get | | src/routers/knative.ts | this.kube.tryGet<KnativeService>(
serving.knative.dev | services | update | | src/routers/knative.ts | this.kube.modify<KnativeService>(
serving.knative.dev | revisions | get | | src/targets/knative.ts | this.kube.get<Revision>(ref)
# MetricTemplate provider keptn: KeptnMetric values; Analyses created, polled, deleted.
metrics.keptn.sh | keptnmetrics | get | | src/metrics/providers/keptn.ts | kind: 'KeptnMetric', namespace, name
metrics.keptn.sh | analyses | create | | src/metrics/providers/keptn.ts | within(kube.create(analysis), deadline)
metrics.keptn.sh | analyses | get | | src/metrics/providers/keptn.ts | return await within(this.options.kube.get(ref), deadline)
metrics.keptn.sh | analyses | delete | | src/metrics/providers/keptn.ts | const deleted = kube.delete(ref)
# Leader election, in the controller's own namespace.
coordination.k8s.io | leases | create | lease | src/kube/leader-election.ts | this.kube.create<Lease>(
coordination.k8s.io | leases | get | lease | src/kube/leader-election.ts | this.kube.tryGet<Lease>(
coordination.k8s.io | leases | update | lease | src/kube/leader-election.ts | this.kube.update<Lease>(
`);

interface Need {
  group: string;
  resources: string[];
  verbs: string[];
  scope: '' | 'lease' | 'cluster';
  file: string;
  anchor: string;
}

/** Reads the table: one row per line, `|`-separated; the anchor is the rest of the line (it may hold `|`). */
function table(text: string): Need[] {
  return text
    .split('\n')
    .filter(line => line.trim() !== '' && !line.startsWith('#'))
    .map(line => {
      const [group = '', resources = '', verbs = '', scope = '', file = '', ...anchor] = line.split('|');
      assert.ok(['', 'lease', 'cluster'].includes(scope.trim()) && anchor.length > 0, line);
      return {
        group: group.trim(),
        resources: resources.trim().split(' '),
        verbs: verbs.trim().split(' '),
        scope: scope.trim() as Need['scope'],
        file: file.trim(),
        anchor: anchor.join('|').trim(),
      };
    });
}

/** "group/resource/verb" for each verb of the rows. */
function permissions(rows: readonly Need[]): Set<string> {
  return new Set(
    rows.flatMap(row =>
      row.resources.flatMap(resource => row.verbs.map(verb => key(row.group, resource, verb))),
    ),
  );
}

function key(group: string, resource: string, verb: string): string {
  return `${group}/${resource}/${verb}`;
}

// ---------------------------------------------------------------------------------------------------------
// What each kustomization must set up.
// ---------------------------------------------------------------------------------------------------------
const OVERLAYS: Record<string, { namespace: string; provider: string; extraArgs?: string[] }> = {
  istio: { namespace: 'istio-system', provider: 'istio' },
  linkerd: { namespace: 'flagger-system', provider: 'gatewayapi:v1beta1' },
  nginx: { namespace: 'ingress-nginx', provider: 'nginx' },
  contour: { namespace: 'projectcontour', provider: 'contour', extraArgs: ['-ingress-class=contour'] },
  gatewayapi: { namespace: 'flagger-system', provider: 'gatewayapi:v1' },
  kubernetes: { namespace: 'flagger-system', provider: 'kubernetes' },
};

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
type RoleObject = KubeObject & { rules: Rule[] };
type Binding = KubeObject & {
  roleRef: { apiGroup: string; kind: string; name: string };
  subjects: { kind: string; name: string; namespace?: string }[];
};

// The audit log: every request of a ServiceAccount, at Metadata level.
const auditDir = mkdtempSync(join(tmpdir(), 'flagger-audit-'));
const auditLog = join(auditDir, 'audit.log');
writeFileSync(
  join(auditDir, 'policy.yaml'),
  [
    'apiVersion: audit.k8s.io/v1',
    'kind: Policy',
    'omitStages: [RequestReceived]',
    'rules:',
    '  - level: Metadata',
    '    userGroups: [system:serviceaccounts]',
    '  - level: None',
    '',
  ].join('\n'),
);

describe('kustomize install manifests on an API server that enforces RBAC', () => {
  const cluster = useCluster({
    apiServerArgs: [
      `--audit-policy-file=${join(auditDir, 'policy.yaml')}`,
      `--audit-log-path=${auditLog}`,
      '--enable-admission-plugins=OwnerReferencesPermissionEnforcement',
    ],
  });
  after(() => rmSync(auditDir, { recursive: true, force: true }));

  async function kubectl(...args: string[]): Promise<string> {
    const { stdout } = await exec(
      cluster.plane.binaries.kubectl,
      ['--kubeconfig', cluster.plane.kubeconfigPath, ...args],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return stdout;
  }

  async function render(dir: string): Promise<KubeObject[]> {
    const yaml = await kubectl('kustomize', join(KUSTOMIZE, dir));
    return parseAllDocuments(yaml)
      .map(d => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null);
  }

  before(async () => {
    // The CRDs as users install them, then the upstream mesh CRDs the releases below use.
    await kubectl('apply', '-f', join(ROOT, 'deploy/crds/crds.yaml'));
    await kubectl(
      'wait',
      '--for=condition=established',
      '--timeout=60s',
      '-f',
      join(ROOT, 'deploy/crds/crds.yaml'),
    );
    await installCrds(cluster.client, [
      ...istioCrds(),
      ...providerCrds('contour'),
      ...providerCrds('gatewayapi'),
    ]);
    const namespaces = new Set(['flagger-system', 'apps', ...Object.values(OVERLAYS).map(o => o.namespace)]);
    for (const name of namespaces)
      await cluster.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  });

  it('renders every kustomization, and the API server accepts each in a server-side dry run', async () => {
    const dirs = ['base', 'namespaced', 'loadtester', ...Object.keys(OVERLAYS).map(o => `overlays/${o}`)];
    assert.deepEqual(readdirSync(join(KUSTOMIZE, 'overlays')).sort(), Object.keys(OVERLAYS).sort());
    for (const dir of dirs) {
      const objects = await render(dir);
      assert.ok(objects.length > 0, dir);
      const namespaceArgs = dir === 'loadtester' ? ['-n', 'apps'] : [];
      const out = await kubectl('apply', '--dry-run=server', ...namespaceArgs, '-k', join(KUSTOMIZE, dir));
      assert.equal(out.trim().split('\n').length, objects.length, `${dir}: ${out}`);
      for (const line of out.trim().split('\n')) assert.match(line, /\(server dry run\)$/, `${dir}: ${line}`);
    }
  });

  it('each overlay: its namespace, provider, leader election, and the binding to its account', async () => {
    for (const [overlay, expected] of Object.entries(OVERLAYS)) {
      const objects = await render(`overlays/${overlay}`);
      const deployment = only(objects, 'Deployment', 'flagger') as Deployment;
      assert.equal(deployment.metadata?.namespace, expected.namespace, overlay);
      const container = deployment.spec?.template.spec?.containers[0];
      const args = container?.args ?? [];
      assert.ok(args.includes(`-mesh-provider=${expected.provider}`), `${overlay}: ${args.join(' ')}`);
      for (const arg of expected.extraArgs ?? []) assert.ok(args.includes(arg), `${overlay}: ${arg}`);
      assert.ok(
        args.some(a => a.startsWith('-metrics-server=http')),
        overlay,
      );
      assert.ok(args.includes('-enable-leader-election=true'), overlay);
      assert.ok(args.includes('-leader-election-namespace=$(POD_NAMESPACE)'), overlay);
      // Every flag is one the controller knows, and the provider is one it supports.
      const flags = parseFlags(args, {});
      assert.notEqual(parseProvider(flags['mesh-provider']), undefined, overlay);
      // The ClusterRoleBinding names the ServiceAccount in the overlay's namespace, and the overlay says so
      // itself: kustomize v2 (in kubectl 1.20) rewrites subjects, v4 and v5 leave them alone.
      const binding = only(objects, 'ClusterRoleBinding', 'flagger') as Binding;
      assert.deepEqual(binding.subjects, [
        { kind: 'ServiceAccount', name: 'flagger', namespace: expected.namespace },
      ]);
      assert.deepEqual(binding.roleRef, {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'flagger',
      });
      if (expected.namespace !== 'flagger-system') {
        const patch = parseAllDocuments(
          readFileSync(join(KUSTOMIZE, `overlays/${overlay}/patch.yaml`), 'utf8'),
        )
          .map(d => d.toJS() as Binding)
          .find(d => d.kind === 'ClusterRoleBinding');
        assert.equal(
          patch?.subjects[0]?.namespace,
          expected.namespace,
          `${overlay}: patch.yaml names the namespace`,
        );
      }
      only(objects, 'ClusterRole', 'flagger');
      only(objects, 'ServiceAccount', 'flagger');
      only(objects, 'Role', 'flagger-leader-election');
      only(objects, 'RoleBinding', 'flagger-leader-election');
      // The CRDs come with the install (deploy/crds), as with Flagger's kustomize.
      for (const crd of ['canaries', 'metrictemplates', 'alertproviders'])
        only(objects, 'CustomResourceDefinition', `${crd}.flagger.app`);
    }
  });

  it('the Deployments: probes, metrics port, non-root, read-only, no privilege escalation', async () => {
    for (const dir of ['base', 'namespaced']) {
      const deployment = only(await render(dir), 'Deployment', 'flagger') as Deployment;
      const pod = deployment.spec!.template;
      const container = pod.spec!.containers[0]!;
      assert.equal(pod.spec!.serviceAccountName, 'flagger');
      assert.equal(container.image, 'flagger-ts:latest');
      assert.deepEqual(container.command, ['flagger']);
      assert.deepEqual(container.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      assert.deepEqual(pod.metadata?.annotations, {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '8080',
        'prometheus.io/path': '/metrics',
      });
      assert.deepEqual(container.livenessProbe?.httpGet, { path: '/healthz', port: 'http' });
      assert.deepEqual(container.readinessProbe?.httpGet, { path: '/readyz', port: 'http' });
      assert.deepEqual(container.env, [
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      ]);
      assert.equal(pod.spec?.securityContext?.runAsNonRoot, true);
      assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
      assert.equal(container.securityContext.readOnlyRootFilesystem, true);
      assert.deepEqual(container.securityContext.capabilities?.drop, ['ALL']);
      assert.ok(container.resources?.requests?.cpu && container.resources.requests.memory);
    }
    const loadtester = await render('loadtester');
    const deployment = only(loadtester, 'Deployment', 'flagger-loadtester') as Deployment;
    const pod = deployment.spec!.template.spec!;
    assert.deepEqual(pod.containers[0]!.command, ['flagger-loadtester']);
    assert.ok(pod.containers[0]?.args?.includes('-port=9090'));
    assert.equal(pod.automountServiceAccountToken, false, 'the load tester needs no API access');
    assert.equal(pod.containers[0]?.securityContext?.readOnlyRootFilesystem, true);
    const service = only(loadtester, 'Service', 'flagger-loadtester') as KubeObject & {
      spec: { ports: unknown[] };
    };
    assert.deepEqual(service.spec.ports, [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('the roles hold no wildcard and exactly the verbs of the table, whose code still exists', async () => {
    for (const row of NEEDS) {
      const source = readFileSync(join(ROOT, row.file), 'utf8');
      assert.ok(
        source.includes(row.anchor),
        `${row.file} lost ${row.anchor}: ${row.resources.join(' ')} ${row.verbs.join(' ')} still used?`,
      );
    }
    const base = await render('base');
    const clusterRole = only(base, 'ClusterRole', 'flagger') as RoleObject;
    const leaseRole = only(base, 'Role', 'flagger-leader-election') as RoleObject;
    const namespacedRole = only(await render('namespaced'), 'Role', 'flagger') as RoleObject;
    for (const role of [clusterRole, leaseRole, namespacedRole]) {
      for (const rule of role.rules) {
        const fields = [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs];
        assert.ok(!fields.includes('*'), `${role.metadata?.name ?? ''}: wildcard in ${JSON.stringify(rule)}`);
        assert.equal(rule.nonResourceURLs, undefined, 'discovery and /version come with the default roles');
      }
    }
    const namespaced = NEEDS.filter(n => n.scope === '');
    assert.deepEqual(
      sorted(granted(clusterRole)),
      sorted(permissions(NEEDS.filter(n => n.scope !== 'lease'))),
    );
    assert.deepEqual(sorted(granted(namespacedRole)), sorted(permissions(namespaced)));
    assert.deepEqual(sorted(granted(leaseRole)), sorted(permissions(NEEDS.filter(n => n.scope === 'lease'))));
    // Only the lock itself may be read and renewed (create cannot be limited to a name).
    for (const rule of leaseRole.rules) {
      if (rule.verbs.includes('create')) assert.equal(rule.resourceNames, undefined);
      else assert.deepEqual(rule.resourceNames, ['flagger-leader-election']);
    }
    // Only our own CRDs are named: the controller reads nothing else of that kind.
    assert.deepEqual(
      clusterRole.rules.filter(r => r.resourceNames !== undefined),
      [
        {
          apiGroups: ['apiextensions.k8s.io'],
          resources: ['customresourcedefinitions'],
          resourceNames: [
            'canaries.flagger.app',
            'metrictemplates.flagger.app',
            'alertproviders.flagger.app',
          ],
          verbs: ['get'],
        },
      ],
    );
  });

  it('releases and finalizes canaries of five providers as the installed account, never refused', async t => {
    const installed = await render('overlays/kubernetes');
    await kubectl('apply', '-k', join(KUSTOMIZE, 'overlays/kubernetes'));
    const namespace = (only(installed, 'Deployment', 'flagger') as Deployment).metadata?.namespace ?? '';
    const user = `system:serviceaccount:${namespace}:flagger`;
    await bindingsEffective(user, ['list', 'canaries.flagger.app', '--all-namespaces']);
    const kube = await serviceAccountClient(namespace, 'flagger');
    const startedAt = new Date();
    const controller = await startController(kube, deploymentArgs(installed, namespace));
    try {
      await Promise.all([
        release('kubernetes', { stepWeight: undefined, maxWeight: undefined, iterations: 2 }),
        release('istio', { stepWeight: 50, maxWeight: 50 }),
        release('contour', { stepWeight: 50, maxWeight: 50 }),
        release('gatewayapi:v1beta1', { stepWeight: 50, maxWeight: 50 }),
        release('nginx', { stepWeight: 50, maxWeight: 50 }),
      ]).catch(controller.fail);
    } finally {
      await controller.stop();
    }
    const used = await audited(user, startedAt);
    assert.deepEqual(used.refused, [], 'requests the API server refused');
    assert.deepEqual(used.nonResource, [], 'non-resource requests beyond discovery and /version');
    const table = permissions(NEEDS);
    assert.deepEqual(
      [...used.permissions].filter(p => !table.has(p)),
      [],
      'used but not in the table',
    );
    // What these releases must have exercised; the rest of the table belongs to providers and features they
    // do not use (autoscalers, other meshes, keptn, the skipper finalizer) or to repairs of drifted objects;
    // canaries/finalizers is an admission check, not a request (see the last test).
    const expected = [
      'flagger.app/canaries/get',
      'flagger.app/canaries/list',
      'flagger.app/canaries/watch',
      'flagger.app/canaries/update',
      'flagger.app/canaries/status/update',
      'flagger.app/metrictemplates/list',
      'flagger.app/metrictemplates/watch',
      'flagger.app/alertproviders/get',
      'apiextensions.k8s.io/customresourcedefinitions/get',
      'apps/deployments/get',
      'apps/deployments/list',
      'apps/deployments/watch',
      'apps/deployments/create',
      'apps/deployments/update',
      'apps/deployments/patch',
      'apps/daemonsets/list',
      'apps/daemonsets/watch',
      '/services/get',
      '/services/list',
      '/services/watch',
      '/services/create',
      '/configmaps/get',
      '/configmaps/list',
      '/configmaps/watch',
      '/configmaps/create',
      '/secrets/get',
      '/secrets/list',
      '/secrets/watch',
      '/secrets/create',
      '/events/create',
      'networking.istio.io/virtualservices/get',
      'networking.istio.io/virtualservices/create',
      'networking.istio.io/virtualservices/update',
      'networking.istio.io/destinationrules/get',
      'networking.istio.io/destinationrules/create',
      'projectcontour.io/httpproxies/get',
      'projectcontour.io/httpproxies/create',
      'projectcontour.io/httpproxies/update',
      'gateway.networking.k8s.io/httproutes/get',
      'gateway.networking.k8s.io/httproutes/create',
      'gateway.networking.k8s.io/httproutes/update',
      'networking.k8s.io/ingresses/get',
      'networking.k8s.io/ingresses/create',
      'networking.k8s.io/ingresses/update',
      'coordination.k8s.io/leases/get',
      'coordination.k8s.io/leases/create',
      'coordination.k8s.io/leases/update',
    ];
    assert.deepEqual(
      expected.filter(p => !used.permissions.has(p)),
      [],
      'expected to be used',
    );
    const unused = sorted(permissions(NEEDS)).filter(p => !used.permissions.has(p));
    t.diagnostic(`not exercised here (other providers and features): ${unused.join(', ')}`);
  });

  it('the namespaced install releases a canary in its namespace and can do nothing outside it', async () => {
    const installed = await render('namespaced');
    const namespace = (only(installed, 'Deployment', 'flagger') as Deployment).metadata?.namespace ?? '';
    assert.equal((only(installed, 'RoleBinding', 'flagger') as Binding).roleRef.kind, 'Role');
    assert.equal(installed.filter(o => o.kind?.startsWith('Cluster')).length, 0, 'nothing cluster-wide');
    await kubectl('apply', '-k', join(KUSTOMIZE, 'namespaced'));
    const user = `system:serviceaccount:${namespace}:flagger`;
    await bindingsEffective(user, ['list', 'canaries.flagger.app', '-n', namespace]);
    const kube = await serviceAccountClient(namespace, 'flagger');
    const startedAt = new Date();
    const args = deploymentArgs(installed, namespace);
    assert.ok(args.includes(`-namespace=${namespace}`));
    const controller = await startController(kube, args);
    try {
      await releaseIn(namespace, 'kubernetes', {
        stepWeight: undefined,
        maxWeight: undefined,
        iterations: 2,
      }).catch(controller.fail);
    } finally {
      await controller.stop();
    }
    const used = await audited(user, startedAt);
    assert.deepEqual(used.refused, [], 'requests the API server refused');
    assert.deepEqual(used.clusterWide, [], 'requests outside the namespace');
    await assert.rejects(kube.list(API_VERSION, 'Canary'), isForbidden);
    await assert.rejects(kube.list('v1', 'Secret', { namespace: 'flagger-system' }), isForbidden);
  });

  it('needs canaries/finalizers: without it, blocking the deletion of a Canary is refused', async () => {
    const ns = await cluster.namespace('owner');
    const canary = await cluster.client.create<Canary>(podinfoCanary(ns, { metrics: [] }));
    const clusterRole = only(await render('base'), 'ClusterRole', 'flagger') as RoleObject;
    const withoutFinalizers: RoleObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'flagger-without-finalizers' },
      rules: clusterRole.rules.filter(r => !(r.resources ?? []).includes('canaries/finalizers')),
    };
    await cluster.client.create(withoutFinalizers);
    await cluster.client.create({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'probe', namespace: ns },
    });
    const bind = (name: string, role: string): Binding => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: 'probe' }],
    });
    await cluster.client.create(bind('probe', 'flagger-without-finalizers'));
    const user = `system:serviceaccount:${ns}:probe`;
    await bindingsEffective(user, ['create', 'services', '-n', ns]);
    const kube = await serviceAccountClient(ns, 'probe');
    const service = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name,
        namespace: ns,
        ownerReferences: [
          {
            apiVersion: API_VERSION,
            kind: 'Canary',
            name: 'podinfo',
            uid: canary.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { ports: [{ port: 80 }] },
    });
    await assert.rejects(kube.create(service('refused')), (err: Error) => {
      assert.ok(isForbidden(err));
      assert.match(err.message, /finalizers/);
      return true;
    });
    await cluster.client.create(bind('probe-finalizers', 'flagger'));
    await eventually(
      async () =>
        await kube
          .create(service('allowed'))
          .then(() => true)
          .catch(() => false),
      'the full ClusterRole did not allow the ownerReference',
    );
  });

  // -------------------------------------------------------------------------------------------------------

  /** Waits until the API server's authorizer sees the new bindings (asked as the admin, impersonating). */
  async function bindingsEffective(user: string, canI: string[]): Promise<void> {
    await eventually(
      async () =>
        (await kubectl('auth', 'can-i', ...canI, `--as=${user}`).catch(() => 'no')).trim() === 'yes',
      `${user} cannot ${canI.join(' ')}`,
    );
  }

  /** A client with a token of the ServiceAccount (TokenRequest: no token Secrets on this control plane). */
  async function serviceAccountClient(namespace: string, name: string): Promise<KubeClient> {
    const request = join(auditDir, `token-request-${namespace}-${name}.json`);
    writeFileSync(
      request,
      JSON.stringify({
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      }),
    );
    const out = await kubectl(
      'create',
      '--raw',
      `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
      '-f',
      request,
    );
    const token = (JSON.parse(out) as { status: { token: string } }).status.token;
    const kubeconfig = join(auditDir, `kubeconfig-${namespace}-${name}`);
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- {name: local, cluster: {server: '${cluster.plane.server}', insecure-skip-tls-verify: true}}`,
        `users: [{name: ${name}, user: {token: ${token}}}]`,
        `contexts: [{name: local, context: {cluster: local, user: ${name}}}]`,
        'current-context: local',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    return connect({ kubeconfig });
  }

  /** The controller as the Deployment runs it: leader election, then the runtime, from the rendered args. */
  async function startController(kube: KubeClient, args: string[]) {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    const flags = parseFlags(args, {});
    assert.equal(await kube.serverVersion().then(v => v.major), '1');
    const shutdown = new AbortController();
    const elector = flags['enable-leader-election']
      ? new LeaderElector(kube, {
          namespace: flags.namespace || flags['leader-election-namespace'],
          name: 'flagger-leader-election',
          retryPeriodMs: 500,
        })
      : undefined;
    await elector?.acquire(shutdown.signal);
    const held = elector?.hold(shutdown.signal);
    const runtime = await ControllerRuntime.start({
      ...optionsFromFlags(flags, kube, logger),
      minAnalysisIntervalMs: 1_000,
    });
    return {
      /** Rethrows a failure with the controller's last warnings and errors. */
      fail: (err: unknown): never => {
        const warnings = lines.filter(l => !l.includes('"level":"info"')).slice(-20);
        throw new Error(`${(err as Error).message}\nlast controller warnings:\n${warnings.join('\n')}`);
      },
      stop: async () => {
        await runtime.stop();
        shutdown.abort();
        assert.equal(await held, elector === undefined ? undefined : 'released');
      },
    };
  }

  /** A podinfo release in a new namespace: initialized, new image, promoted. */
  async function release(provider: Provider, analysis: Partial<CanaryAnalysis>): Promise<void> {
    await releaseIn(await cluster.namespace(provider.replace(/[^a-z]/g, '')), provider, analysis);
  }

  async function releaseIn(ns: string, provider: Provider, analysis: Partial<CanaryAnalysis>): Promise<void> {
    const client = cluster.client;
    // A tracked ConfigMap and Secret, an AlertProvider (its webhook refuses: alerts are logged, not sent).
    await client.create(podinfoConfig(ns, 'blue'));
    await client.create<Secret>({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'podinfo-secret', namespace: ns },
      stringData: { TOKEN: 'one' },
    });
    await client.create({
      apiVersion: API_VERSION,
      kind: 'AlertProvider',
      metadata: { name: 'chat', namespace: ns },
      spec: { type: 'slack', channel: 'releases', address: 'http://127.0.0.1:1/hook' },
    });
    const deployment = podinfoDeployment(ns, 'podinfo:6.0.0', 'podinfo-config');
    deployment.spec?.template.spec?.containers[0]?.envFrom?.push({ secretRef: { name: 'podinfo-secret' } });
    await client.create(deployment);
    const canary = podinfoCanary(ns, {
      ...analysis,
      metrics: [],
      alerts: [{ name: 'chat', providerRef: { name: 'chat' } }],
    });
    canary.spec.provider = provider;
    canary.spec.revertOnDeletion = true;
    if (provider.startsWith('gatewayapi') && canary.spec.service)
      canary.spec.service.gatewayRefs = [{ name: 'public', namespace: 'gateways' }];
    if (provider === 'nginx') {
      canary.spec.ingressRef = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' };
      await client.create({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'podinfo', namespace: ns },
        spec: {
          rules: [
            {
              host: 'app.example.com',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'podinfo', port: { number: 9898 } } },
                  },
                ],
              },
            },
          ],
        },
      });
    }
    await client.create(canary);
    const canaryRef = { apiVersion: API_VERSION, kind: 'Canary', name: 'podinfo', namespace: ns };
    const phase = async () => (await client.get<Canary>(canaryRef)).status?.phase;
    await eventually(async () => (await phase()) === 'Initialized', `${provider}: not initialized`, 90_000);
    await setImage(client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => (await phase()) === 'Succeeded',
      `${provider}: release did not succeed`,
      120_000,
    );
    const primary = await client.get<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'podinfo-primary',
      namespace: ns,
    });
    assert.equal(primary.spec?.template.spec?.containers[0]?.image, 'podinfo:6.0.1', provider);
    // revertOnDeletion: the controller reverts the target and the routing, then removes its finalizer.
    await client.delete(canaryRef);
    await eventually(
      async () => (await client.tryGet(canaryRef)) === undefined,
      `${provider}: not finalized`,
      60_000,
    );
    const target = await client.get<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'podinfo',
      namespace: ns,
    });
    assert.equal(target.spec?.replicas, 2, `${provider}: target scaled back up`);
  }

  /** What `user` asked the API server for since `since`, from the audit log. */
  async function audited(user: string, since: Date) {
    await sleep(1_000); // the last responses are logged after they are sent
    const seen = new Map<string, AuditEvent>();
    for (const line of readFileSync(auditLog, 'utf8').split('\n')) {
      if (!line) continue;
      const event = JSON.parse(line) as AuditEvent;
      if (event.user.username !== user || new Date(event.requestReceivedTimestamp) < since) continue;
      seen.set(event.auditID, event);
    }
    const events = [...seen.values()];
    const show = (e: AuditEvent) => `${e.verb} ${e.requestURI} → ${e.responseStatus?.code ?? '?'}`;
    return {
      permissions: new Set(
        events.flatMap(e =>
          e.objectRef
            ? [
                key(
                  e.objectRef.apiGroup ?? '',
                  e.objectRef.subresource
                    ? `${e.objectRef.resource}/${e.objectRef.subresource}`
                    : e.objectRef.resource,
                  e.verb,
                ),
              ]
            : [],
        ),
      ),
      refused: events.filter(e => e.responseStatus?.code === 403).map(show),
      nonResource: events
        .filter(e => !e.objectRef && !/^\/(version|apis?)(\/|\?|$)/.test(e.requestURI))
        .map(show),
      clusterWide: events.filter(e => e.objectRef && !e.objectRef.namespace).map(show),
    };
  }
});

interface AuditEvent {
  auditID: string;
  verb: string;
  requestURI: string;
  requestReceivedTimestamp: string;
  user: { username: string };
  objectRef?: { apiGroup?: string; resource: string; subresource?: string; namespace?: string };
  responseStatus?: { code: number };
}

/** The one object of that kind and name. */
function only(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.filter(o => o.kind === kind && o.metadata?.name === name);
  assert.equal(found.length, 1, `one ${kind} ${name}`);
  return found[0]!;
}

/** Every "group/resource/verb" a role grants. */
function granted(role: RoleObject): Set<string> {
  const out = new Set<string>();
  for (const rule of role.rules)
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs) out.add(key(group, resource, verb));
  return out;
}

function sorted(set: Set<string>): string[] {
  return [...set].sort();
}

/** The container args of the rendered Deployment, with the namespace the pod would get. */
function deploymentArgs(objects: readonly KubeObject[], namespace: string): string[] {
  const deployment = only(objects, 'Deployment', 'flagger') as Deployment;
  return (deployment.spec?.template.spec?.containers[0]?.args ?? []).map(a =>
    a.replaceAll('$(POD_NAMESPACE)', namespace),
  );
}

function isForbidden(err: unknown): boolean {
  return err instanceof KubeApiError && err.reason === 'Forbidden';
}
