// Provider `appmesh:v1beta2` (Flagger's AppMeshv1beta2Router), API appmesh.k8s.aws/v1beta2: VirtualNodes
// `<svc>-primary` and `<svc>-canary`, VirtualRouters `<svc>` (the split) and `<svc>-canary` (all to the canary),
// and a VirtualService in front of each router. The scheduler reconciles them before the primary workload is
// created, so that its pods get the Envoy sidecar. A/B testing by headers; no mirroring or session affinity.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import { canaryOwnerReference, withFluxAnnotations } from '../api/generated-objects.ts';
import type { KubeClient } from '../kube/client.ts';
import type { ObjectMeta, ObjectRef } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import {
  INITIAL_ROUTES,
  replaceSpec,
  step,
  syncGatewayAnnotations,
  virtualServiceAnnotations,
} from './appmesh-common.ts';
import {
  APPMESH_V1BETA2,
  readVirtualRouter,
  splitTargets,
  virtualNodeSpec,
  virtualRouterSpec,
  virtualServiceSpec,
  type RouterRole,
  type VirtualNode,
  type VirtualRouter,
  type VirtualService,
} from './appmesh-v1beta2-objects.ts';
import { canaryLogger } from './generated-metadata.ts';
import { requireService } from './service-spec.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';
import { upsert, type UpsertResult } from './upsert.ts';

type Kind = 'VirtualNode' | 'VirtualRouter' | 'VirtualService';

export class AppMeshV1beta2Router implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly labelKey: string;
  private readonly setOwnerRefs: boolean;

  constructor(deps: Pick<RouterDeps, 'kube' | 'logger' | 'labelKey' | 'setOwnerRefs'>) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.labelKey = deps.labelKey;
    this.setOwnerRefs = deps.setOwnerRefs;
  }

  async reconcile(canary: Canary): Promise<void> {
    requireService(canary);
    await step('reconcileVirtualNode', () => this.reconcileVirtualNode(canary, 'primary'));
    await step('reconcileVirtualNode', () => this.reconcileVirtualNode(canary, 'canary'));
    for (const role of ['apex', 'canary'] as const) {
      await step('reconcileVirtualRouter', () => this.reconcileVirtualRouter(canary, role));
      await step('reconcileVirtualService', () => this.reconcileVirtualService(canary, role));
    }
  }

  /** Rewrites the action of the apex router's first route; the rest of the router is the reconcile's. */
  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    const ref = this.ref(canary, 'VirtualRouter', serviceNames(canary.spec).apex);
    try {
      await this.kube.modify<VirtualRouter>(ref, current => {
        const first = current.spec?.routes?.[0]?.httpRoute;
        if (first === undefined) throw new Error(`VirtualRouter routes ${ref.name} not found`);
        first.action = { weightedTargets: splitTargets(canary, routes) };
        return true;
      });
    } catch (err) {
      throw new Error(`VirtualRouter ${ref.name} update error: ${(err as Error).message}`, { cause: err });
    }
    return {};
  }

  async getRoutes(canary: Canary): Promise<Routes> {
    const ref = this.ref(canary, 'VirtualRouter', serviceNames(canary.spec).apex);
    let router: VirtualRouter;
    try {
      router = await this.kube.get<VirtualRouter>(ref);
    } catch (err) {
      throw new Error(`VirtualRouter ${ref.name} get query error: ${(err as Error).message}`, { cause: err });
    }
    const read = readVirtualRouter(canary, router.spec);
    if ('problem' in read) throw new Error(read.problem);
    return read.routes;
  }

  /** Nothing to revert, as in Flagger: the App Mesh objects are the canary's and go with it. */
  finalize(): Promise<void> {
    return Promise.resolve();
  }

  private async reconcileVirtualNode(canary: Canary, role: 'primary' | 'canary'): Promise<void> {
    const ref = this.ref(canary, 'VirtualNode', serviceNames(canary.spec)[role]);
    const desired = virtualNodeSpec(canary, role, this.labelKey);
    const apex = requireService(canary).apex;
    const result = await upsert<VirtualNode>(this.kube, {
      ref,
      create: () => ({
        apiVersion: APPMESH_V1BETA2,
        kind: ref.kind,
        metadata: this.metadata(canary, ref, apex?.labels, withFluxAnnotations(apex?.annotations)),
        spec: desired,
      }),
      update: current => replaceSpec(current, desired),
    });
    this.log(canary, ref, result);
  }

  /** The apex router keeps its current split when rewritten; the canary router always sends all to the canary. */
  private async reconcileVirtualRouter(canary: Canary, role: RouterRole): Promise<void> {
    const ref = this.ref(canary, 'VirtualRouter', routerName(canary, role));
    const result = await upsert<VirtualRouter>(this.kube, {
      ref,
      create: () => ({
        apiVersion: APPMESH_V1BETA2,
        kind: ref.kind,
        metadata: this.metadata(canary, ref, undefined, withFluxAnnotations(undefined)),
        spec: virtualRouterSpec(canary, role, INITIAL_ROUTES),
      }),
      update: current => {
        const read = readVirtualRouter(canary, current.spec);
        const kept = 'routes' in read ? read.routes : INITIAL_ROUTES;
        return replaceSpec(current, virtualRouterSpec(canary, role, kept));
      },
    });
    this.log(canary, ref, result);
  }

  /**
   * The VirtualService of a router, created when missing. Quirk fixed: Flagger creates it only together with its
   * router, so a VirtualService deleted later never comes back; its gateway annotations follow service.hosts.
   */
  private async reconcileVirtualService(canary: Canary, role: RouterRole): Promise<void> {
    const name = routerName(canary, role);
    const ref = this.ref(canary, 'VirtualService', name);
    const desired = virtualServiceSpec(name);
    const result = await upsert<VirtualService>(this.kube, {
      ref,
      create: () => ({
        apiVersion: APPMESH_V1BETA2,
        kind: ref.kind,
        metadata: this.metadata(canary, ref, undefined, virtualServiceAnnotations(canary, role === 'apex')),
        spec: desired,
      }),
      update: current => {
        const specChanged = replaceSpec(current, desired);
        const annotationsChanged =
          role === 'apex' && syncGatewayAnnotations((current.metadata ??= {}), canary);
        return specChanged || annotationsChanged;
      },
    });
    this.log(canary, ref, result);
  }

  private metadata(
    canary: Canary,
    ref: ObjectRef,
    labels: Record<string, string> | undefined,
    annotations: Record<string, string>,
  ): ObjectMeta {
    return {
      name: ref.name,
      namespace: ref.namespace,
      ...(labels ? { labels } : {}),
      annotations,
      ...(this.setOwnerRefs ? { ownerReferences: [canaryOwnerReference(canary)] } : {}),
    };
  }

  private ref(canary: Canary, kind: Kind, name: string): ObjectRef {
    return { apiVersion: APPMESH_V1BETA2, kind, name, namespace: canary.metadata.namespace };
  }

  private log(canary: Canary, ref: ObjectRef, result: UpsertResult): void {
    if (result === 'unchanged') return;
    canaryLogger(this.logger, canary).info(`${ref.kind} ${ref.name}.${ref.namespace ?? ''} ${result}`);
  }
}

function routerName(canary: Canary, role: RouterRole): string {
  return serviceNames(canary.spec)[role];
}
