// The metrics family: query backends (one per MetricTemplate provider type) and the outcome of one check.
import type { CheckVerdict } from '../api/canary.ts';

/** A metrics backend: Flagger's providers.Interface. */
export interface MetricsProvider {
  /** Runs a query that returns one number; throws NoValuesError when it returns nothing. */
  runQuery(query: string, signal?: AbortSignal): Promise<number>;
  /** True when the backend answers. */
  isOnline(signal?: AbortSignal): Promise<boolean>;
}

/** The query returned no data: Flagger's ErrNoValuesFound. */
export class NoValuesError extends Error {
  constructor(message = 'no values found') {
    super(message);
    this.name = 'NoValuesError';
  }
}

/** What a check asked and of whom, for the decision record: known as far as the check got. */
export interface CheckFacts {
  /** The backend: the provider type of a template, else "prometheus" (or the mesh observer's name). */
  provider: string;
  /** The query as rendered and sent. */
  query?: string;
  /** The metric's window (a Go duration). */
  interval: string;
  /** The accepted range (request-duration in milliseconds). */
  min?: number;
  max?: number;
  /** The primary's value, when the metric is compared with it. */
  baseline?: number;
  /** How a statistical comparison with the primary judged (compare.method other than tolerance). */
  comparison?: ComparisonFacts;
}

/** A statistical comparison's evidence, as far as the test got. */
export interface ComparisonFacts {
  method: 'proportion';
  /** The test run: Fisher's exact test for small counts, else the z-test. */
  test?: 'fisher' | 'z';
  canarySamples: number;
  primarySamples: number;
  /** Canary minus primary, in the metric's unit, and its two-sided interval at compare.confidence. */
  effect?: number;
  effectInterval?: [number, number];
  /** One-sided: the chance of a canary this much worse if it were no worse than the primary. */
  pValue?: number;
}

/** The result of checking one analysis metric. */
export type MetricCheck = CheckFacts &
  (
    | { metric: string; ok: true; verdict: 'Passed'; value: number }
    /** message is Flagger's event text, e.g. "Halt podinfo.test advancement success rate 98.69% < 99%". */
    | { metric: string; ok: false; verdict: Exclude<CheckVerdict, 'Passed'>; value?: number; message: string }
  );
