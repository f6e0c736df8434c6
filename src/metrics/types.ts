// The metrics family: query backends (one per MetricTemplate provider type) and the outcome of one check.

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

/** The result of checking one analysis metric. */
export type MetricCheck =
  | { metric: string; ok: true; value: number }
  /** message is Flagger's event text, e.g. "Halt podinfo.test advancement success rate 98.69% < 99%". */
  | { metric: string; ok: false; value?: number; message: string };
