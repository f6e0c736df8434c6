// Built-in metrics of one mesh or ingress: the PromQL behind request-success-rate and request-duration (Flagger's
// observers). The queries are templates over the metric's QueryModel ({{ namespace }}, {{ target }}, ...).
import type { BUILTIN_METRICS } from '../../api/canary-analysis.ts';
import type { QueryModel } from '../render.ts';

export type BuiltinMetric = (typeof BUILTIN_METRICS)[number];

export interface MeshObserver {
  /** request-success-rate: percentage of non-5xx requests; request-duration: a latency in durationUnitMs. */
  queries: Readonly<Record<BuiltinMetric, string>>;
  /** Milliseconds per unit of the request-duration result: 1 for millisecond histograms, 1000 for seconds. */
  durationUnitMs: number;
  /** Rewrites the names in the model before rendering (Skipper names routes with non-word characters as _). */
  encodeModel?: (model: QueryModel) => QueryModel;
}
