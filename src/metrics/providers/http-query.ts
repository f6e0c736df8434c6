// What the HTTP metric providers (Datadog, New Relic, Graphite, InfluxDB, Dynatrace, Splunk's health check) share
// besides the request itself (src/util/http.ts): the credential and interval checks Flagger makes and its
// "no values" error.
import { parseDuration } from '../../api/duration.ts';
import { NoValuesError } from '../types.ts';

/** Flagger's "invalid response: <body>: no values found". */
export function noValues(body: string): NoValuesError {
  return new NoValuesError(`invalid response: ${body}: no values found`);
}

/** A key of the template's Secret, with Flagger's error when it is missing. */
export function credential(
  type: string,
  credentials: Readonly<Record<string, string>> | undefined,
  key: string,
  what: string = key,
): string {
  const value = credentials !== undefined && Object.hasOwn(credentials, key) ? credentials[key] : undefined;
  if (value === undefined) throw new Error(`${type} credentials does not contain ${what}`);
  return value;
}

/** The metric interval in milliseconds, parsed as Go does; Flagger's error text when it does not parse. */
export function intervalMs(interval: string): number {
  const ms = parseDuration(interval);
  if (ms === undefined)
    throw new Error(`error parsing metric interval: time: invalid duration "${interval}"`);
  return ms;
}
