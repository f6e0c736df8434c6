// The API server's side of the cost: kube-apiserver's own apiserver_request_total, read from its /metrics with the
// control plane's admin credentials. It counts every client (the controller, kube-controller-manager, the fake
// kubelet, the benchmark itself), so benchmarks read it over windows in which only the controller is busy.
import { fetch } from 'undici';
import type { KubeClient } from '../../src/kube/client.ts';
import { parseSamples, sumBy, type Sample } from './prom-text.ts';

const SERIES = 'apiserver_request_total';

export async function apiServerSamples(kube: KubeClient): Promise<Sample[]> {
  const { server, token, dispatcher } = await kube.connection();
  const response = await fetch(`${server}/metrics`, {
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
    ...(dispatcher !== undefined && { dispatcher }),
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`kube-apiserver /metrics answered ${response.status}`);
  return parseSamples(await response.text());
}

/** Requests by verb (LIST, GET, WATCH, ...). */
export function requestsByVerb(samples: readonly Sample[]): Map<string, number> {
  return sumBy(samples, SERIES, labels => labels.verb);
}

/** Requests by "VERB resource[/subresource]". */
export function requestsByResource(samples: readonly Sample[]): Map<string, number> {
  return sumBy(samples, SERIES, labels => {
    const resource = labels.subresource ? `${labels.resource}/${labels.subresource}` : labels.resource;
    return `${labels.verb} ${resource || '(non-resource)'}`;
  });
}
