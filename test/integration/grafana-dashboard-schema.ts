// Compile-time check of deploy/grafana/canary-analysis.json against the Dashboard type of @grafana/schema, on
// every `npm run typecheck`. A JSON import widens each string to `string`, so string enums and unions are
// compared as strings here (and excess properties go unnoticed); grafana-dashboard.test.ts restates the JSON as
// literals to check those precisely.
import type { Dashboard } from '@grafana/schema';
import dashboard from '../../deploy/grafana/canary-analysis.json' with { type: 'json' };

/** T with its string enums and string unions widened to string, as a JSON import types them. */
type Widened<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends readonly (infer E)[]
        ? Widened<E>[]
        : T extends object
          ? { [K in keyof T]: Widened<T[K]> }
          : T;

export const checkedDashboard = dashboard satisfies Widened<Dashboard>;
