// The Keptn metrics provider, as Flagger's KeptnProvider reads Keptn's metrics.keptn.sh/v1beta1 objects through the
// controller's own API connection: a KeptnMetric's status.value, or the verdict of an Analysis created for the
// check (1 when it passed, else 0), polled until Keptn completes it and then deleted.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject, ObjectRef } from '../../kube/types.ts';
import type { MetricsProvider } from '../types.ts';
import { field } from '../../util/http.ts';
import { parseGoFloat } from './prometheus.ts';

const API_VERSION = 'metrics.keptn.sh/v1beta1';
// Flagger gives Keptn 10s to evaluate an Analysis and looks every second.
export const KEPTN_ANALYSIS_TIMEOUT_MS = 10_000;
export const KEPTN_POLL_MS = 1_000;
const FORMAT = '<keptnmetric|analysis>/<namespace>/<resourceName>/<duration>/<arguments>';

/** The API calls the provider makes; KubeClient satisfies it. */
export interface KeptnKube {
  get(ref: ObjectRef): Promise<KubeObject>;
  create(object: KubeObject): Promise<KubeObject>;
  delete(ref: ObjectRef): Promise<unknown>;
}

export interface KeptnOptions {
  kube: KeptnKube;
  analysisTimeoutMs?: number;
  pollMs?: number;
  /** Told when a finished Analysis cannot be deleted (Flagger logs it and returns the verdict). */
  onCleanupError?: (name: string, err: unknown) => void;
}

/** A parsed query: Flagger's parseQuery. */
export type KeptnQuery =
  | { kind: 'KeptnMetric'; namespace: string; name: string }
  | { kind: 'Analysis'; namespace: string; name: string; duration: string; args: Record<string, string> };

export class KeptnProvider implements MetricsProvider {
  private readonly options: KeptnOptions;

  constructor(options: KeptnOptions) {
    this.options = options;
  }

  runQuery(query: string, signal?: AbortSignal): Promise<number> {
    const parsed = parseKeptnQuery(query);
    return parsed.kind === 'KeptnMetric' ? this.metricValue(parsed) : this.analysisVerdict(parsed, signal);
  }

  /** Always true, as in Flagger. */
  isOnline(): Promise<boolean> {
    return Promise.resolve(true);
  }

  private async metricValue({ namespace, name }: KeptnQuery): Promise<number> {
    let metric: KubeObject;
    try {
      metric = await this.options.kube.get({ apiVersion: API_VERSION, kind: 'KeptnMetric', namespace, name });
    } catch (err) {
      throw new Error(`could not retrieve KeptnMetric ${namespace}/${name}: ${message(err)}`, { cause: err });
    }
    const value = field(field(metric, 'status'), 'value');
    // Like Flagger, a metric not yet measured is a plain error, not "no values found".
    if (typeof value !== 'string') {
      throw new Error(`could not retrieve KeptnMetric - no value found in resource ${namespace}/${name}`);
    }
    try {
      return parseGoFloat(value);
    } catch (err) {
      throw new Error(`could not parse value of KeptnMetric ${namespace}/${name} to float: ${message(err)}`, {
        cause: err,
      });
    }
  }

  private async analysisVerdict(
    query: Extract<KeptnQuery, { kind: 'Analysis' }>,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const { kube } = this.options;
    const { namespace, name } = query;
    const deadline = AbortSignal.timeout(this.options.analysisTimeoutMs ?? KEPTN_ANALYSIS_TIMEOUT_MS);
    const wait = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    // Flagger names each Analysis after its definition plus six characters of a UUID.
    const ref = {
      apiVersion: API_VERSION,
      kind: 'Analysis',
      namespace,
      name: `${name}-${randomUUID().slice(0, 6)}`,
    };
    const analysis = {
      apiVersion: API_VERSION,
      kind: 'Analysis',
      metadata: { name: ref.name, namespace },
      spec: { analysisDefinition: { name }, timeframe: { recent: query.duration }, args: query.args },
    };
    try {
      await kube.create(analysis);
    } catch (err) {
      throw new Error(`could not create Keptn Analysis ${namespace}/${name}: ${message(err)}`, {
        cause: err,
      });
    }
    try {
      for (;;) {
        try {
          await sleep(this.options.pollMs ?? KEPTN_POLL_MS, undefined, { signal: wait });
        } catch (err) {
          if (signal?.aborted === true) throw err;
          const text = `encountered timeout while waiting for Keptn Analysis ${namespace}/${name} to be finished`;
          throw new Error(text, { cause: err });
        }
        const verdict = analysisPassed(await this.current(ref, name));
        if (verdict !== undefined) return verdict ? 1 : 0;
      }
    } finally {
      await kube.delete(ref).catch((err: unknown) => this.options.onCleanupError?.(ref.name, err));
    }
  }

  private async current(ref: ObjectRef, definition: string): Promise<KubeObject> {
    try {
      return await this.options.kube.get(ref);
    } catch (err) {
      const what = `${ref.namespace ?? ''}/${definition}`;
      throw new Error(`could not check status of created Keptn Analysis ${what}: ${message(err)}`, {
        cause: err,
      });
    }
  }
}

/** The verdict of a Completed Analysis; undefined while Keptn has not completed it (or set no verdict). */
function analysisPassed(analysis: KubeObject): boolean | undefined {
  const status = field(analysis, 'status');
  if (field(status, 'state') !== 'Completed') return undefined;
  const pass = field(status, 'pass');
  return typeof pass === 'boolean' ? pass : undefined;
}

/**
 * `<keptnmetric|analysis>/<namespace>/<name>[/<duration>[/<k=v;k2=v2>]]` as Flagger reads it: lower-cased (names
 * and arguments too), trimmed, plural kinds accepted; an Analysis covers the last minute unless told, and an
 * argument without exactly one `=` is skipped.
 */
export function parseKeptnQuery(query: string): KeptnQuery {
  const parts = query.toLowerCase().replace(/\n$/, '').trim().split('/');
  const [kind = '', namespace = '', name = '', duration = '1m', args] = parts;
  if (parts.length < 3) throw new Error(`unexpected query format. query must be in the format ${FORMAT}`);
  if (kind === 'keptnmetric' || kind === 'keptnmetrics') return { kind: 'KeptnMetric', namespace, name };
  if (kind !== 'analysis' && kind !== 'analyses') {
    throw new Error(
      "unexpected resource kind provided in the query. must be one of: ['keptnmetric', 'analysis']",
    );
  }
  const pairs = (args?.split(';') ?? []).map(pair => pair.split('='));
  const entries = pairs.filter((pair): pair is [string, string] => pair.length === 2);
  return { kind: 'Analysis', namespace, name, duration, args: Object.fromEntries(entries) };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
