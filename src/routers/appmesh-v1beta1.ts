// Provider `appmesh` (Flagger's AppMeshRouter), API appmesh.k8s.aws/v1beta1 of App Mesh's first Kubernetes
// controller: VirtualNodes `<svc>`, `<svc>-primary` and `<svc>-canary` in the mesh named by service.meshName, and
// VirtualServices `<svc>.<ns>` (the split) and `<svc>-canary.<ns>` with their router and routes inline. The
// scheduler reconciles them before the primary workload is created. A/B testing by headers; no mirroring or
// session affinity.
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
  APPMESH_V1BETA1,
  meshName,
  readVirtualService,
  splitTargets,
  virtualNodeSpec,
  virtualServiceName,
  virtualServiceSpec,
  type NodeRole,
  type ServiceRole,
  type VirtualNode,
  type VirtualService,
} from './appmesh-v1beta1-objects.ts';
import { canaryLogger } from './generated-metadata.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';
import { upsert, type UpsertResult } from './upsert.ts';

export class AppMeshV1beta1Router implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly setOwnerRefs: boolean;

  constructor(deps: Pick<RouterDeps, 'kube' | 'logger' | 'setOwnerRefs'>) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.setOwnerRefs = deps.setOwnerRefs;
  }

  async reconcile(canary: Canary): Promise<void> {
    meshName(canary);
    for (const role of ['apex', 'primary', 'canary'] as const) {
      await step('reconcileVirtualNode', () => this.reconcileVirtualNode(canary, role));
    }
    for (const role of ['apex', 'canary'] as const) {
      await step('reconcileVirtualService', () => this.reconcileVirtualService(canary, role));
    }
  }

  /** Rewrites the action of the apex service's first route; the rest is the reconcile's. */
  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    const ref = this.ref(canary, 'VirtualService', virtualServiceName(canary, 'apex'));
    try {
      await this.kube.modify<VirtualService>(ref, current => {
        const first = current.spec?.routes?.[0]?.http;
        if (first === undefined) throw new Error(`VirtualService routes ${ref.name} not found`);
        first.action = { weightedTargets: splitTargets(canary, routes) };
        return true;
      });
    } catch (err) {
      throw new Error(`VirtualService ${ref.name} update error: ${(err as Error).message}`, { cause: err });
    }
    return {};
  }

  async getRoutes(canary: Canary): Promise<Routes> {
    const ref = this.ref(canary, 'VirtualService', virtualServiceName(canary, 'apex'));
    let service: VirtualService;
    try {
      service = await this.kube.get<VirtualService>(ref);
    } catch (err) {
      throw new Error(`VirtualService ${ref.name} get query error: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const read = readVirtualService(canary, service.spec);
    if ('problem' in read) throw new Error(read.problem);
    return read.routes;
  }

  /** Nothing to revert, as in Flagger: the App Mesh objects are the canary's and go with it. */
  finalize(): Promise<void> {
    return Promise.resolve();
  }

  private async reconcileVirtualNode(canary: Canary, role: NodeRole): Promise<void> {
    const ref = this.ref(canary, 'VirtualNode', serviceNames(canary.spec)[role]);
    const desired = virtualNodeSpec(canary, role);
    const result = await upsert<VirtualNode>(this.kube, {
      ref,
      create: () => ({
        apiVersion: APPMESH_V1BETA1,
        kind: ref.kind,
        metadata: this.metadata(canary, ref, withFluxAnnotations(undefined)),
        spec: desired,
      }),
      update: current => replaceSpec(current, desired),
    });
    this.log(canary, ref, result);
  }

  /** The apex service keeps its current split when rewritten; the canary service always sends all to the canary. */
  private async reconcileVirtualService(canary: Canary, role: ServiceRole): Promise<void> {
    const ref = this.ref(canary, 'VirtualService', virtualServiceName(canary, role));
    const result = await upsert<VirtualService>(this.kube, {
      ref,
      create: () => ({
        apiVersion: APPMESH_V1BETA1,
        kind: ref.kind,
        metadata: this.metadata(canary, ref, virtualServiceAnnotations(canary, role === 'apex')),
        spec: virtualServiceSpec(canary, role, INITIAL_ROUTES),
      }),
      update: current => {
        const read = readVirtualService(canary, current.spec);
        const kept = 'routes' in read ? read.routes : INITIAL_ROUTES;
        const specChanged = replaceSpec(current, virtualServiceSpec(canary, role, kept));
        const annotationsChanged =
          role === 'apex' && syncGatewayAnnotations((current.metadata ??= {}), canary);
        return specChanged || annotationsChanged;
      },
    });
    this.log(canary, ref, result);
  }

  private metadata(canary: Canary, ref: ObjectRef, annotations: Record<string, string>): ObjectMeta {
    return {
      name: ref.name,
      namespace: ref.namespace,
      annotations,
      ...(this.setOwnerRefs ? { ownerReferences: [canaryOwnerReference(canary)] } : {}),
    };
  }

  private ref(canary: Canary, kind: 'VirtualNode' | 'VirtualService', name: string): ObjectRef {
    return { apiVersion: APPMESH_V1BETA1, kind, name, namespace: canary.metadata.namespace };
  }

  private log(canary: Canary, ref: ObjectRef, result: UpsertResult): void {
    if (result === 'unchanged') return;
    canaryLogger(this.logger, canary).info(`${ref.kind} ${ref.name}.${ref.namespace ?? ''} ${result}`);
  }
}
