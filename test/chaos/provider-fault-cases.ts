// The faults of provider-faults.test.ts: metric providers and webhooks that refuse, hang, trickle, redirect in a
// loop, answer errors, garbage, NaN or an endless body, each with the message its failed check must carry.
import type { CanaryWebhook } from '../../src/api/canary.ts';
import type { Behaviour } from '../harness/bad-server.ts';

export const json = (value: unknown) => JSON.stringify(value);
export const promSample = (value: string) =>
  json({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] } });
const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256));

export interface MetricCase {
  name: string;
  type: 'prometheus' | 'graphite';
  behaviour: Behaviour | 'refused';
  message: RegExp;
  /** Reading the endless body may also outlast the timeout on a loaded machine: either bounds the check. */
  orTimeout?: true;
}

export const TIMED_OUT = 'timeout exceeded$';

export const metricCases: MetricCase[] = [
  {
    name: 'prom-refused',
    type: 'prometheus',
    behaviour: 'refused',
    message: /Get "[^"]+": connect ECONNREFUSED/,
  },
  { name: 'prom-hang', type: 'prometheus', behaviour: { kind: 'hang' }, message: /": timeout exceeded$/ },
  {
    name: 'prom-trickle',
    type: 'prometheus',
    behaviour: { kind: 'trickle' },
    message: /": timeout exceeded$/,
  },
  {
    name: 'prom-loop',
    type: 'prometheus',
    behaviour: { kind: 'answer', status: 302, headers: { location: '/prom-loop/api/v1/query' } },
    message: /redirect count exceeded/,
  },
  {
    name: 'prom-503',
    type: 'prometheus',
    behaviour: { kind: 'answer', status: 503, body: 'x'.repeat(1024 * 1024) },
    message: /error response: x+\.\.\. \(\d+ more characters\)$/,
  },
  {
    name: 'prom-garbage',
    type: 'prometheus',
    behaviour: { kind: 'answer', status: 200, body: garbage },
    message: /error unmarshaling result: /,
  },
  {
    name: 'prom-nan',
    type: 'prometheus',
    behaviour: { kind: 'answer', status: 200, body: promSample('NaN') },
    message: /^Halt advancement no values found for custom metric: probe: no values found$/,
  },
  {
    name: 'prom-inf',
    type: 'prometheus',
    behaviour: { kind: 'answer', status: 200, body: promSample('+Inf') },
    message: /^Halt podinfo\.\S+ advancement probe \+Inf is not a finite number$/,
  },
  {
    name: 'prom-endless',
    type: 'prometheus',
    behaviour: { kind: 'endless' },
    message: /larger than 10 MiB$/,
    orTimeout: true,
  },
  {
    name: 'graphite-hang',
    type: 'graphite',
    behaviour: { kind: 'hang' },
    message: /^Metric query failed for probe: graphite request failed: timeout exceeded$/,
  },
  {
    name: 'graphite-endless',
    type: 'graphite',
    behaviour: { kind: 'endless' },
    message: /larger than 10 MiB$/,
    orTimeout: true,
  },
  {
    name: 'graphite-nan',
    type: 'graphite',
    behaviour: { kind: 'answer', status: 200, body: json([{ target: 'x', datapoints: [['NaN', 1]] }]) },
    message: /advancement probe NaN is not a finite number$/,
  },
  {
    name: 'graphite-html',
    type: 'graphite',
    behaviour: { kind: 'answer', status: 200, body: '<html>maintenance</html>' },
    message: /graphite error unmarshaling result: .*'<html>maintenance<\/html>'$/,
  },
];

export interface HookCase {
  name: string;
  hook: Pick<CanaryWebhook, 'type' | 'timeout' | 'retries'>;
  behaviour: Behaviour;
  message: RegExp;
  /** Attempts per failed check. */
  attempts: number;
}

export const hookCases: HookCase[] = [
  {
    name: 'pre-hang',
    hook: { type: 'pre-rollout', timeout: '1s' },
    behaviour: { kind: 'hang' },
    message: /pre-rollout check hook failed POST \S+ giving up after 1 attempt\(s\): timed out after 1s$/,
    attempts: 1,
  },
  {
    name: 'rollout-loop',
    hook: { type: 'rollout', retries: 2 },
    behaviour: { kind: 'answer', status: 302, headers: { location: '/rollout-loop/hook' } },
    message: /external check hook failed POST \S+ giving up after 1 attempt\(s\): redirect count exceeded$/,
    attempts: 1,
  },
  {
    name: 'rollout-endless',
    hook: { type: 'rollout' },
    behaviour: { kind: 'endless' },
    message:
      /external check hook failed POST \S+ giving up after 1 attempt\(s\): response body larger than 10 MiB$/,
    attempts: 1,
  },
  {
    name: 'rollout-503',
    hook: { type: 'rollout', retries: 1 },
    behaviour: { kind: 'answer', status: 503, body: 'y'.repeat(1024 * 1024) },
    message: /external check hook failed y+\.\.\. \(\d+ more characters\)$/,
    attempts: 2,
  },
];
