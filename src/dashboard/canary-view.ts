// The one-canary view and its actions, each done with the dashboard's client once the viewer's rights allow it:
// what `flagger describe` reads (events and generated objects only when the viewer may read those too), and the
// control annotations of `flagger promote|abort|pause|resume|retry`, recorded as an event on the canary.
import type { Logger } from 'pino';
import type { Canary } from '../api/canary.ts';
import { describeCanary, type Description } from '../cli/commands/describe.ts';
import { controlNotes, controlPatch, controlRequest, type ControlVerb } from '../cli/commands/control.ts';
import { canaryRef } from '../cli/commands/common.ts';
import type { KubeClient } from '../kube/client.ts';
import { EventRecorder } from '../kube/events.ts';
import { canaryAccess, type Access, type Viewer } from './access.ts';
import type { WeightPoint } from './live.ts';

export const CONTROL_VERBS: readonly ControlVerb[] = ['promote', 'abort', 'pause', 'resume', 'retry'];

export interface CanaryView {
  description: Description;
  weights: WeightPoint[];
  /** Whether the viewer may patch the canary (and so use the actions). */
  mayAct: boolean;
}

export class CanaryViews {
  private readonly client: KubeClient;
  private readonly access: Access;
  private readonly recorder: EventRecorder;
  private readonly meshProvider: string;

  constructor(client: KubeClient, access: Access, logger: Logger, meshProvider: string) {
    this.client = client;
    this.access = access;
    this.recorder = new EventRecorder(client, logger, 'flagger-dashboard');
    this.meshProvider = meshProvider;
  }

  /** The description of a canary the viewer may read. */
  async view(viewer: Viewer, canary: Canary, weights: WeightPoint[]): Promise<CanaryView> {
    const namespace = canary.metadata.namespace ?? 'default';
    const mayReadEvents = await this.access.may(viewer, {
      verb: 'list',
      group: '',
      resource: 'events',
      namespace,
    });
    const description = await describeCanary(this.client, canary, {
      meshProvider: this.meshProvider,
      events: mayReadEvents ? 30 : 0,
    });
    const objects = [];
    for (const object of description.objects) {
      const { autoscalerRef, targetRef } = canary.spec;
      const apiVersion =
        object.kind === 'Service'
          ? 'v1'
          : object.kind === autoscalerRef?.kind
            ? autoscalerRef.apiVersion
            : targetRef.apiVersion;
      if (await this.mayGet(viewer, apiVersion, object.kind, namespace)) objects.push(object);
    }
    return {
      description: { ...description, objects },
      weights,
      mayAct: await this.access.may(viewer, canaryAccess('patch', namespace, canary.metadata.name)),
    };
  }

  /** Writes a control request as the viewer asked it, and an event that says who asked. */
  async act(viewer: Viewer, canary: Canary, verb: ControlVerb, full: boolean): Promise<string[]> {
    const namespace = canary.metadata.namespace ?? 'default';
    const name = canary.metadata.name ?? '';
    const request = controlRequest(verb, full);
    await this.client.patch(canaryRef(namespace, name), 'merge', controlPatch(request));
    const who = viewer.user?.username ?? this.client.kubeConfig.getCurrentUser()?.name ?? 'the dashboard';
    await this.recorder.record(canary, 'Normal', 'DashboardRequest', `${who} asked to ${request.asks}`);
    return [`asked to ${request.asks}`, ...controlNotes(verb, canary, name, full)];
  }

  private async mayGet(viewer: Viewer, apiVersion: string, kind: string, namespace: string) {
    if (viewer.user === undefined) return true;
    const { plural } = await this.client.resource(apiVersion, kind);
    const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
    return this.access.may(viewer, { verb: 'get', group, resource: plural, namespace });
  }
}
