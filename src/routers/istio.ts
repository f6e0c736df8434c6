// Provider `istio` (Flagger's IstioRouter): DestinationRules for the primary and canary Services and a
// VirtualService on the apex host whose routes carry the split, A/B conditions, mirroring and session affinity.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import type { KubeClient } from '../kube/client.ts';
import type { ObjectRef } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { canaryLogger } from './generated-metadata.ts';
import { KUBECTL_ANNOTATION, canaryOwnerReference } from '../api/generated-objects.ts';
import { reconcileDestinationRule } from './istio-destination-rules.ts';
import { isTcp, readRoutes, routeLayout } from './istio-routes.ts';
import { ISTIO_API_VERSION, type VirtualService, type VirtualServiceSpec } from './istio-types.ts';
import {
  ORIGINAL_CONFIGURATION_ANNOTATION,
  newVirtualService,
  updateVirtualService,
  virtualServiceProblem,
  virtualServiceSpec,
} from './istio-virtual-service.ts';
import { requireService } from './service-spec.ts';
import { currentCookies, nextCookies } from './session-affinity.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';
import { upsert } from './upsert.ts';

const INITIAL_ROUTES: Routes = { primaryWeight: 100, canaryWeight: 0, mirrored: false };

export class IstioRouter implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly setOwnerRefs: boolean;

  constructor(deps: Pick<RouterDeps, 'kube' | 'logger' | 'setOwnerRefs'>) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.setOwnerRefs = deps.setOwnerRefs;
  }

  async reconcile(canary: Canary): Promise<void> {
    const names = serviceNames(canary.spec);
    const deps = {
      kube: this.kube,
      logger: canaryLogger(this.logger, canary),
      setOwnerRefs: this.setOwnerRefs,
    };
    await reconcileDestinationRule(deps, canary, names.canary);
    await reconcileDestinationRule(deps, canary, names.primary);
    await this.reconcileVirtualService(canary);
  }

  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    // TCP routes cannot match cookies, so a TCP canary has no session affinity (as in Flagger).
    const affinity = isTcp(requireService(canary)) ? undefined : canary.spec.analysis.sessionAffinity;
    const cookies = affinity ? nextCookies(affinity, canary.status, routes.canaryWeight) : undefined;
    const layout = routeLayout(canary, routes, cookies);
    await this.kube.modify<VirtualService>(virtualServiceRef(canary), current => {
      // The rest of the spec (hosts, gateways, and the other route list) is the reconcile's.
      current.spec = { ...current.spec, ...layout };
      return true;
    });
    return cookies ?? {};
  }

  async getRoutes(canary: Canary): Promise<Routes> {
    const ref = virtualServiceRef(canary);
    const vs = await this.kube.get<VirtualService>(ref);
    const routes = readRoutes(canary, vs.spec);
    if (routes === undefined) {
      const apex = serviceNames(canary.spec).apex;
      throw new Error(
        `VirtualService ${apex}.${ref.namespace ?? ''} does not contain routes for ${apex}-primary and ${apex}-canary`,
      );
    }
    return routes;
  }

  async finalize(canary: Canary): Promise<void> {
    const ref = virtualServiceRef(canary);
    const vs = await this.kube.tryGet<VirtualService>(ref);
    const logger = canaryLogger(this.logger, canary);
    if (vs === undefined) {
      // Flagger fails here, which keeps the canary's finalizer forever; with no VirtualService there is nothing
      // to revert.
      logger.warn(`VirtualService ${ref.name}.${ref.namespace ?? ''} not found, nothing to revert`);
      return;
    }
    const original = originalSpec(vs);
    if (original === undefined) {
      logger.warn(
        `VirtualService ${ref.name}.${ref.namespace ?? ''} original configuration not found, unable to revert`,
      );
      return;
    }
    await this.kube.modify<VirtualService>(ref, current => {
      current.spec = original;
      return true;
    });
  }

  private async reconcileVirtualService(canary: Canary): Promise<void> {
    const problem = virtualServiceProblem(canary);
    if (problem !== undefined) throw new Error(problem);
    // Created and compared without session affinity routes, as Flagger's reconcile does.
    const desired = virtualServiceSpec(canary, INITIAL_ROUTES, undefined);
    const ref = virtualServiceRef(canary);
    const result = await upsert<VirtualService>(this.kube, {
      ref,
      create: () => {
        const vs = newVirtualService(canary, desired);
        if (this.setOwnerRefs) (vs.metadata ??= {}).ownerReferences = [canaryOwnerReference(canary)];
        return vs;
      },
      update: current => {
        const kept = readRoutes(canary, current.spec) ?? INITIAL_ROUTES;
        return updateVirtualService(current, canary, desired, () =>
          routeLayout(canary, kept, currentCookies(canary.status)),
        );
      },
    });
    if (result !== 'unchanged') {
      canaryLogger(this.logger, canary).info(`VirtualService ${ref.name}.${ref.namespace ?? ''} ${result}`);
    }
  }
}

function virtualServiceRef(canary: Canary): ObjectRef {
  return {
    apiVersion: ISTIO_API_VERSION,
    kind: 'VirtualService',
    name: serviceNames(canary.spec).apex,
    namespace: canary.metadata.namespace,
  };
}

/** The spec to revert to: kubectl's last applied one, else the one Flagger stored when it took over. */
function originalSpec(vs: VirtualService): VirtualServiceSpec | undefined {
  const annotations = vs.metadata?.annotations ?? {};
  const name = `${vs.metadata?.name ?? ''}.${vs.metadata?.namespace ?? ''}`;
  const parse = (key: string, text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`VirtualService ${name} failed to unMarshal annotation ${key}`);
    }
  };
  const lastApplied = annotations[KUBECTL_ANNOTATION];
  if (lastApplied !== undefined) return (parse(KUBECTL_ANNOTATION, lastApplied) as VirtualService).spec ?? {};
  const stored = annotations[ORIGINAL_CONFIGURATION_ANNOTATION];
  return stored === undefined
    ? undefined
    : (parse(ORIGINAL_CONFIGURATION_ANNOTATION, stored) as VirtualServiceSpec);
}
