// The Keptn metrics provider, as Flagger's KeptnProvider reads Keptn's metrics.keptn.sh/v1beta1 objects through the
// controller's own API connection: a KeptnMetric's status.value, or the verdict of an Analysis created for the
// check (1 when it passed, else 0), polled until Keptn completes it and then deleted. Each query has one deadline,
// API calls included: the API client's own limits (30s a request, retries of 429s) would hold the check longer.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject, ObjectRef } from '../../kube/types.ts';
import type { MetricsProvider } from '../types.ts';
import { field } from '../../util/http.ts';
import { parseGoFloat } from './prometheus.ts';

const API_VERSION = 'metrics.keptn.sh/v1beta1';
// Flagger gives Keptn 10s to evaluate an Analysis and looks every second; here the 10s bound every query.
export const KEPTN_TIMEOUT_MS = 10_000;
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
  /** The whole query: reading a KeptnMetric, or creating, waiting for and deleting an Analysis. */
  timeoutMs?: number;
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
    const deadline = AbortSignal.timeout(this.options.timeoutMs ?? KEPTN_TIMEOUT_MS);
    const bounded = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    const value =
      parsed.kind === 'KeptnMetric'
        ? this.metricValue(parsed, bounded)
        : this.analysisVerdict(parsed, bounded);
    // The caller's abort is passed on as it came, not as a failure of the step it stopped.
    return value.catch((err: unknown) => {
      throw signal?.aborted === true ? (signal.reason as Error) : err;
    });
  }

  /** Always true, as in Flagger. */
  isOnline(): Promise<boolean> {
    return Promise.resolve(true);
  }

  private async metricValue({ namespace, name }: KeptnQuery, deadline: AbortSignal): Promise<number> {
    let metric: KubeObject;
    try {
      const ref = { apiVersion: API_VERSION, kind: 'KeptnMetric', namespace, name };
      metric = await within(this.options.kube.get(ref), deadline);
    } catch (err) {
      throw new Error(`could not retrieve KeptnMetric ${namespace}/${name}: ${message(err)}`, { cause: err });
    }
    // The API client hands on an answer that is not JSON as text: no KeptnMetric to read a value from.
    if (field(metric, 'kind') !== 'KeptnMetric') {
      throw new Error(`could not retrieve KeptnMetric ${namespace}/${name}: the answer is not a KeptnMetric`);
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
    deadline: AbortSignal,
  ): Promise<number> {
    const { kube } = this.options;
    const { namespace, name } = query;
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
      await within(kube.create(analysis), deadline);
    } catch (err) {
      throw new Error(`could not create Keptn Analysis ${namespace}/${name}: ${message(err)}`, {
        cause: err,
      });
    }
    try {
      for (;;) {
        try {
          await sleep(this.options.pollMs ?? KEPTN_POLL_MS, undefined, { signal: deadline });
        } catch (err) {
          const text = `encountered timeout while waiting for Keptn Analysis ${namespace}/${name} to be finished`;
          throw new Error(text, { cause: err });
        }
        const verdict = analysisPassed(await this.current(ref, name, deadline));
        if (verdict !== undefined) return verdict ? 1 : 0;
      }
    } finally {
      // Waited for while the deadline allows; a slower deletion goes on without the check.
      const deleted = kube.delete(ref).catch((err: unknown) => this.options.onCleanupError?.(ref.name, err));
      await within(deleted, deadline).catch(() => undefined);
    }
  }

  private async current(ref: ObjectRef, definition: string, deadline: AbortSignal): Promise<KubeObject> {
    try {
      return await within(this.options.kube.get(ref), deadline);
    } catch (err) {
      const what = `${ref.namespace ?? ''}/${definition}`;
      throw new Error(`could not check status of created Keptn Analysis ${what}: ${message(err)}`, {
        cause: err,
      });
    }
  }
}

/**
 * The call's outcome, or the deadline's reason once it passes. The call itself cannot be cancelled: it ends in
 * the background within the API client's own limits.
 */
function within<T>(call: Promise<T>, deadline: AbortSignal): Promise<T> {
  if (deadline.aborted) return Promise.reject(deadline.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(deadline.reason as Error);
    deadline.addEventListener('abort', onAbort, { once: true });
    void call.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onAbort));
  });
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
  if (err instanceof Error && err.name === 'TimeoutError') return 'timeout exceeded';
  return err instanceof Error ? err.message : String(err);
}
