// Skipper's built-in queries: the proxy's metrics of the canary ingress's routes. Skipper names a route
// kube(ew)_<namespace>__<ingress>__<host>__<path>__<backend>, with every non-word character of a name turned into
// "_", so the names in the query model are encoded the same way before rendering (encodeModel).
import type { QueryModel } from '../render.ts';
import type { MeshObserver } from './types.ts';

// Flagger builds this regular expression with printf inside the template; our template subset has no printf, so
// the names are spliced in directly (same resulting query).
const ROUTE = 'kube(ew)?_{{ namespace }}__{{ ingress }}_canary__.*__{{ service }}_canary(_[0-9]+)?';

/** Go's \W: anything but ASCII letters, digits and "_". */
const NON_WORD = /[^0-9A-Za-z_]/g;

function encodeSkipperModel(model: QueryModel): QueryModel {
  const encode = (name: string) => name.replace(NON_WORD, '_');
  return {
    ...model,
    name: encode(model.name),
    namespace: encode(model.namespace),
    target: encode(model.target),
    service: encode(model.service),
    ingress: encode(model.ingress),
  };
}

export const skipperObserver: MeshObserver = {
  queries: {
    'request-success-rate': `
sum(rate(skipper_response_duration_seconds_bucket{route=~"${ROUTE}",code!~"5..",le="+Inf"}[{{ interval }}])) /
sum(rate(skipper_response_duration_seconds_bucket{route=~"${ROUTE}",le="+Inf"}[{{ interval }}])) * 100`,
    // The mean time to serve the route, in seconds times 1000.
    'request-duration': `
sum(rate(skipper_serve_route_duration_seconds_sum{route=~"${ROUTE}"}[{{ interval }}])) /
sum(rate(skipper_serve_route_duration_seconds_count{route=~"${ROUTE}"}[{{ interval }}])) * 1000`,
  },
  durationUnitMs: 1,
  encodeModel: encodeSkipperModel,
};
