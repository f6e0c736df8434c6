// One release of podinfo through the real controller with a given provider, recording on every write what the
// router's own object says about the canary's traffic: the end-to-end check that weights move as the analysis
// advances, whatever the provider.
import assert from 'node:assert/strict';
import type { Canary, CanarySpec } from '../../src/api/canary.ts';
import type { Provider } from '../../src/api/providers.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { Informer } from '../../src/kube/informer.ts';
import type { Deployment, KubeObject, Service } from '../../src/kube/types.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import type { KnativeService, Revision } from '../../src/targets/knative-service.ts';
import { eventually, type TestCluster } from './cluster.ts';
import { canaryEvents, getCanary } from './controller.ts';
import { HookServer } from './hook-server.ts';
import { knativeService, knativeServiceRef, SERVING, type RevisionSpec } from './router-fixtures.ts';
import { podinfoCanary, podinfoDeployment, setImage } from './workloads.ts';

const IMAGE_V1 = 'podinfo:6.0.0';
export const IMAGE_V2 = 'podinfo:6.0.1';
/** Two steps of 25 up to 50, then promotion: the router's object goes 0 → 25 → 50 → 0. */
export const CANARY_STEPS = [0, 25, 50, 0];

export interface ProviderCase {
  provider: Provider;
  /** The router's object that carries the split; namespace false for a cluster-scoped one. */
  object: { apiVersion: string; kind: string; name: (namespace: string) => string; namespaced?: false };
  /** What the object says (the canary's weight for most providers), undefined while it says nothing. */
  read(object: KubeObject, namespace: string): unknown;
  /** What the Canary needs besides podinfo's defaults; `service` is merged into theirs. */
  spec?: Partial<CanarySpec>;
  /** The user's objects, created before the Canary (the ones it refers to or takes over). */
  userObjects?(namespace: string): KubeObject[];
  /** What the provider's own controller does with its objects, for every change of them. */
  fake?: {
    apiVersion: string;
    kind: string;
    reconcile: (kube: KubeClient, object: KubeObject) => Promise<void>;
  };
  /** A Knative Service target instead of the Deployment. */
  knative?: boolean;
}

export interface Release {
  namespace: string;
  /** What the router's object said until the release succeeded, without consecutive repeats. */
  recorded: unknown[];
  /** The image the primary ran once the release succeeded. */
  primaryImage: string;
}

export interface ReleaseOptions {
  revertOnDeletion?: boolean;
  /** Merged into the release analysis (steps of 25 up to 50, every second, no metrics). */
  analysis?: Partial<CanarySpec['analysis']>;
}

const RELEASE_ANALYSIS = { interval: '1s', threshold: 2, stepWeight: 25, maxWeight: 50, metrics: [] };
const PRE_ROLLOUT = '/pre-rollout';

/**
 * Creates the user's objects, the target and its Canary, waits for the initialization, releases a new image and
 * waits until it succeeded, recording the router's object until then; with revertOnDeletion the Canary is then
 * deleted and gone. Every release is gated by a pre-rollout hook that fails once: whatever the provider, the
 * first step must be seen, its hook run, and a failing hook must halt the release before any traffic moves.
 */
export async function releaseThrough(
  cluster: TestCluster,
  kase: ProviderCase,
  options: ReleaseOptions = {},
): Promise<Release> {
  const kube = cluster.client;
  const namespace = await cluster.namespace(kase.provider.replace(/[^a-z0-9]/g, '-'));
  for (const object of kase.userObjects?.(namespace) ?? []) await kube.create(object);
  const { apiVersion, kind, namespaced } = kase.object;
  const name = kase.object.name(namespace);
  const recorded: unknown[] = [];
  const release: Release = { namespace, recorded, primaryImage: '' };
  const hooks = await HookServer.start();
  hooks.failNext(PRE_ROLLOUT, 1);
  const watches = [
    await onChange(
      kube,
      { apiVersion, kind, namespace: namespaced === false ? undefined : namespace },
      obj => {
        const value = obj.metadata?.name === name ? kase.read(obj, namespace) : undefined;
        if (value !== undefined && JSON.stringify(value) !== JSON.stringify(recorded.at(-1)))
          recorded.push(value);
      },
    ),
  ];
  if (kase.fake) {
    const { reconcile } = kase.fake;
    watches.push(await onChange(kube, { ...kase.fake, namespace }, obj => reconcile(kube, obj)));
  }
  try {
    await kube.create(
      kase.knative ? knativeService(namespace, IMAGE_V1) : podinfoDeployment(namespace, IMAGE_V1),
    );
    await kube.create(releaseCanary(namespace, kase, options, `${hooks.url}${PRE_ROLLOUT}`));
    await waitForPhase(cluster, namespace, 'Initialized');
    if (kase.knative) await setKnativeImage(kube, namespace, IMAGE_V2);
    else await setImage(kube, namespace, 'Deployment', IMAGE_V2);
    await waitForPhase(cluster, namespace, 'Succeeded');
    release.primaryImage = await primaryImage(kube, namespace, kase.knative);
    assert.equal(
      hooks.callsTo(PRE_ROLLOUT).length,
      2,
      `${kase.provider}: the pre-rollout hook runs until it passes`,
    );
    await assertFirstStepGated(cluster, namespace);
  } finally {
    for (const watch of watches) watch.stop();
    await hooks.stop();
  }
  if (options.revertOnDeletion === true) await deleteCanary(cluster, namespace);
  return release;
}

/**
 * The first step's events in order: the analysis starts, the failing hook halts it, the next tick runs it again
 * and only then does the release advance.
 */
async function assertFirstStepGated(cluster: TestCluster, namespace: string): Promise<void> {
  const id = `podinfo.${namespace}`;
  const events = await canaryEvents(cluster, namespace);
  const at = (prefix: string) => events.findIndex(e => e.startsWith(prefix));
  const order = [
    at(`Starting canary analysis for ${id}`),
    at(`Halt ${id} advancement pre-rollout check acceptance failed`),
    at('Pre-rollout check acceptance passed'),
    at(`Advance ${id} canary`),
  ];
  assert.ok(
    order.every((index, i) => index >= 0 && (i === 0 || index > (order[i - 1] ?? 0))),
    `the first step is not gated by the pre-rollout hook; events:\n${events.join('\n')}`,
  );
}

/** podinfo's Canary with the short release analysis, for the case's provider, gated by a pre-rollout hook. */
function releaseCanary(
  namespace: string,
  kase: ProviderCase,
  options: ReleaseOptions,
  preRolloutUrl: string,
): Canary {
  const canary = podinfoCanary(namespace, {
    ...RELEASE_ANALYSIS,
    webhooks: [{ name: 'acceptance', type: 'pre-rollout', url: preRolloutUrl }],
    ...options.analysis,
  });
  const { service, ...spec } = kase.spec ?? {};
  canary.spec = {
    ...canary.spec,
    ...spec,
    provider: kase.provider,
    service: { port: 9898, ...canary.spec.service, ...service },
    ...(options.revertOnDeletion === true ? { revertOnDeletion: true } : {}),
  };
  if (kase.knative) {
    canary.spec.targetRef = { apiVersion: SERVING, kind: 'Service', name: 'podinfo' };
    delete canary.spec.service;
  }
  return canary;
}

/** The image the primary runs: the primary Deployment's, or the pinned Knative revision's. */
async function primaryImage(kube: KubeClient, namespace: string, knative = false): Promise<string> {
  if (knative) {
    const service = await kube.get<KnativeService>(knativeServiceRef(namespace));
    const primary = service.metadata?.annotations?.['flagger.app/primary-revision'] ?? '';
    const revision = await kube.get<Revision & RevisionSpec>({
      apiVersion: SERVING,
      kind: 'Revision',
      name: primary,
      namespace,
    });
    return revision.spec?.containers?.[0]?.image ?? '';
  }
  const primary = await kube.get<Deployment>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'podinfo-primary',
    namespace,
  });
  return primary.spec?.template.spec?.containers[0]?.image ?? '';
}

async function setKnativeImage(kube: KubeClient, namespace: string, image: string): Promise<void> {
  await kube.modify<KnativeService>(knativeServiceRef(namespace), service => {
    service.spec = { ...service.spec, template: knativeService(namespace, image).spec.template };
    return true;
  });
}

async function waitForPhase(cluster: TestCluster, namespace: string, phase: string): Promise<void> {
  await eventually(
    async () => (await getCanary(cluster, namespace)).status?.phase === phase,
    `canary not ${phase}`,
    120_000,
  ).catch(async (err: unknown) => {
    const events = await canaryEvents(cluster, namespace);
    throw new Error(`${(err as Error).message} in ${namespace}; events:\n${events.join('\n')}`);
  });
}

/** After the Canary's deletion: the user's apex Service selects podinfo's pods again, which run the release. */
export async function assertTargetRestored(kube: KubeClient, namespace: string): Promise<void> {
  const ref = { namespace, name: 'podinfo' };
  const apex = await kube.get<Service>({ apiVersion: 'v1', kind: 'Service', ...ref });
  assert.deepEqual(apex.spec?.selector, { app: 'podinfo' });
  const target = await kube.get<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', ...ref });
  assert.equal(target.spec?.replicas, 2);
  assert.equal(target.spec.template.spec?.containers[0]?.image, IMAGE_V2);
}

/** Deletes the Canary and waits until it is gone, after our finalizer has reverted it. */
async function deleteCanary(cluster: TestCluster, namespace: string): Promise<void> {
  const ref = { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'podinfo', namespace };
  await cluster.client.delete(ref);
  await eventually(
    async () => (await cluster.client.tryGet(ref)) === undefined,
    `canary in ${namespace} was not finalized`,
    90_000,
  );
  // Written once the finalizer is off, so it may come after the Canary is gone.
  await eventually(
    async () => (await canaryEvents(cluster, namespace)).includes(`Terminated canary podinfo.${namespace}`),
    `canary in ${namespace} was not reverted`,
  );
}

/**
 * Calls handle for every added or changed object of a kind, one call at a time and in order; a failed call is
 * retried with the next change, as a controller would.
 */
async function onChange(
  kube: KubeClient,
  what: { apiVersion: string; kind: string; namespace?: string },
  handle: (object: KubeObject) => Promise<void> | void,
): Promise<{ stop(): void }> {
  const informer = new Informer<KubeObject>(kube, { ...what, logger: silentLogger() });
  let queue = Promise.resolve();
  const enqueue = (object: KubeObject) => {
    queue = queue.then(() => handle(object)).catch(() => undefined);
  };
  informer.addHandlers({ onAdd: enqueue, onUpdate: (_old, object) => enqueue(object) });
  informer.start();
  await informer.synced;
  return { stop: () => informer.stop() };
}
