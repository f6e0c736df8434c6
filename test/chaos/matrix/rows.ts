// What a row of the fault matrix is: one provider or notifier, set up as a user would point it at a backend, the
// backend it meets under each fault, and the check that each request it sent was exactly what it must send.
import assert from 'node:assert/strict';
import type { MetricTemplateProvider } from '../../../src/api/metric-template.ts';
import type { MetricCheckContext } from '../../../src/metrics/check.ts';
import { HTTP_TIMEOUT_MS } from '../../../src/util/http.ts';
import type { BadRequest, Behaves, Behaviour } from '../../harness/bad-server.ts';
import { httpFault, type Fault } from './faults.ts';

/** One cell: the backend under the fault, and what the provider must have sent to it. */
export interface Cell {
  behaves: Behaves;
  /** Throws when a request is not exactly what the provider must send. */
  expect: (requests: readonly BadRequest[]) => void;
}

/** The MetricTemplate and Secret a user writes for a backend at `base`, and what else the check needs. */
export interface MetricSetup {
  provider: MetricTemplateProvider;
  query: string;
  /** The data of the template's Secret (secretRef "creds"). */
  secret?: Record<string, string>;
  /** The controller's cluster access, or a provider built otherwise (see the README). */
  context?: Partial<MetricCheckContext>;
  /** Environment variables in force while the check runs (process-wide: such cells run one at a time). */
  environment?: Record<string, string>;
}

export interface MetricRow {
  type: MetricTemplateProvider['type'];
  /** The provider's own deadline: every cell must end within it (plus slack for a loaded machine). */
  timeoutMs: number;
  /** Where the deadline comes from, for the README. */
  timeoutSource: string;
  /** How long a request the check gave up on may stay open (when it cannot be cancelled); 0 by default. */
  lingerMs?: number;
  setup(base: string): MetricSetup;
  cell(fault: Fault, base: string): Cell;
}

export interface NotifierRow {
  type: 'slack' | 'msteams' | 'discord' | 'rocket' | 'gchat';
  timeoutMs: number;
  /** The AlertProvider's address, token and proxy for a receiver at `base`. */
  options(base: string): { address: string; token?: string };
  expect(requests: readonly BadRequest[], base: string): void;
}

/** Secret values every row uses: no message may quote them. */
export const SECRETS = {
  token: 'secret-token-0f1e2d',
  key: 'secret-key-9a8b7c',
  password: 'secret-password-5d4c',
} as const;

export const NAMESPACE = 'test';

/** The secretRef of every template that has one. */
export const CREDS = { name: 'creds' };

/** The deadline of the providers that make one HTTP request with the shared client (src/util/http.ts). */
export const HTTP_TIMEOUT = { timeoutMs: HTTP_TIMEOUT_MS, timeoutSource: "HTTP_TIMEOUT_MS, Flagger's 5s" };

/** The path of `base` (the case's prefix on the bad server). */
export function pathOf(base: string): string {
  return new URL(base).pathname;
}

export function jsonAnswer(body: unknown, status = 200): Behaviour {
  return {
    kind: 'answer',
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** A row whose backend is one HTTP endpoint: the plain faults, the row's own NaN and empty answers. */
export function httpCell(
  fault: Fault,
  answers: { nan: Behaves; empty: Behaves },
  expectEach: (request: BadRequest) => void,
): Cell {
  const behaves = fault === 'nan' || fault === 'empty' ? answers[fault] : httpFault(fault, 'metrics');
  return { behaves, expect: requests => expectAll(requests, expectEach) };
}

/** At least one request, and each one as `expectEach` wants it. */
export function expectAll(requests: readonly BadRequest[], expectEach: (request: BadRequest) => void): void {
  assert.ok(requests.length > 0, 'no request reached the backend');
  requests.forEach(expectEach);
}

/** The query parameters, as a plain object, for deepEqual. */
export function params(request: BadRequest): Record<string, string> {
  return Object.fromEntries(request.query);
}
