// What both App Mesh routers (provider `appmesh`, API appmesh.k8s.aws/v1beta1, and `appmesh:v1beta2`) derive
// from a Canary in the same way: the listener protocol, the route prefix, the retry policy, the A/B header
// matches, the App Mesh gateway annotations of the apex virtual service, and the spec rewrite that keeps what App
// Mesh's controller filled in.
import type { Canary } from '../api/canary.ts';
import { parseDuration } from '../api/duration.ts';
import { withFluxAnnotations } from '../api/generated-objects.ts';
import { semanticallyEqual } from './semantic-equal.ts';
import { requireService } from './service-spec.ts';
import type { Routes } from './types.ts';

export const APPMESH_GROUP = 'appmesh.k8s.aws';

/** Gateway annotations (the App Mesh gateway exposes a virtual service carrying them). */
export const GATEWAY_EXPOSE_ANNOTATION = 'gateway.appmesh.k8s.aws/expose';
export const GATEWAY_DOMAIN_ANNOTATION = 'gateway.appmesh.k8s.aws/domain';
export const GATEWAY_TIMEOUT_ANNOTATION = 'gateway.appmesh.k8s.aws/timeout';
export const GATEWAY_RETRIES_ANNOTATION = 'gateway.appmesh.k8s.aws/retries';
const GATEWAY_ANNOTATIONS = [
  GATEWAY_EXPOSE_ANNOTATION,
  GATEWAY_DOMAIN_ANNOTATION,
  GATEWAY_TIMEOUT_ANNOTATION,
  GATEWAY_RETRIES_ANNOTATION,
];

/** The split of a new apex router: everything to the primary. */
export const INITIAL_ROUTES: Routes = { primaryWeight: 100, canaryWeight: 0, mirrored: false };

/** The per-try timeout, attempts and retry events when spec.service.retries is set. */
export interface RetrySettings {
  perTryTimeoutMs: number;
  attempts: number;
  events: string[];
}

/** An App Mesh header match (the same shape in v1beta1 and v1beta2). */
export interface HeaderMatch {
  name: string;
  match: { exact?: string; prefix?: string; regex?: string; suffix?: string };
}

/** `grpc` when service.portName contains "grpc", else `http`. */
export function appMeshProtocol(canary: Canary): 'grpc' | 'http' {
  return (requireService(canary).portName ?? '').includes('grpc') ? 'grpc' : 'http';
}

/** App Mesh routes match a path prefix only: service.match[0].uri.prefix, else "/". */
export function appMeshRoutePrefix(canary: Canary): string {
  return requireService(canary).match?.[0]?.uri?.prefix || '/';
}

/** A Go duration in whole milliseconds (Go's Duration.Milliseconds), or undefined when it does not parse. */
export function durationMillis(text: string | undefined): number | undefined {
  const ms = text === undefined ? undefined : parseDuration(text);
  return ms === undefined ? undefined : Math.trunc(ms);
}

/** service.timeout in milliseconds; undefined when unset or not a duration. */
export function timeoutMillis(canary: Canary): number | undefined {
  return durationMillis(requireService(canary).timeout || undefined);
}

/**
 * The retry policy values, as Flagger sets them: a 250ms per-try timeout unless perTryTimeout parses, at least one
 * attempt, and `gateway-error` unless retryOn lists events. Quirk fixed: the events are trimmed (Flagger splits
 * "gateway-error, client-error" into an invalid " client-error").
 */
export function retrySettings(canary: Canary): RetrySettings | undefined {
  const retries = requireService(canary).retries;
  if (retries === undefined) return undefined;
  const events = (retries.retryOn ?? '')
    .split(',')
    .map(event => event.trim())
    .filter(event => event !== '');
  return {
    perTryTimeoutMs: durationMillis(retries.perTryTimeout) ?? 250,
    attempts: (retries.attempts ?? 0) > 0 ? (retries.attempts ?? 1) : 1,
    events: events.length > 0 ? events : ['gateway-error'],
  };
}

/** True when the canary runs A/B tests: analysis.match routes requests by header. */
export function isAbTest(canary: Canary): boolean {
  return (canary.spec.analysis.match?.length ?? 0) > 0;
}

/** One header match per header of every analysis.match entry; empty string matches are left out. */
export function headerMatches(canary: Canary): HeaderMatch[] {
  return (canary.spec.analysis.match ?? []).flatMap(match =>
    Object.entries(match.headers ?? {}).map(([name, m]): HeaderMatch => {
      const kinds = ['exact', 'prefix', 'regex', 'suffix'] as const;
      const set = kinds.flatMap(kind => (m[kind] ? [[kind, m[kind]] as const] : []));
      return { name, match: Object.fromEntries(set) };
    }),
  );
}

/**
 * The gateway annotations of the apex virtual service, set when service.hosts is not empty: every host followed
 * by a comma (as Flagger writes the domain list), the timeout, and the attempts when above zero.
 */
export function gatewayAnnotations(canary: Canary): Record<string, string> {
  const service = requireService(canary);
  const domains = (service.hosts ?? []).map(host => `${host},`).join('');
  if (domains === '') return {};
  return {
    [GATEWAY_EXPOSE_ANNOTATION]: 'true',
    [GATEWAY_DOMAIN_ANNOTATION]: domains,
    ...(service.timeout ? { [GATEWAY_TIMEOUT_ANNOTATION]: service.timeout } : {}),
    ...((service.retries?.attempts ?? 0) > 0
      ? { [GATEWAY_RETRIES_ANNOTATION]: String(service.retries?.attempts) }
      : {}),
  };
}

/** Annotations of a new virtual service: the gateway ones (apex only) and the Flux ones. */
export function virtualServiceAnnotations(canary: Canary, apex: boolean): Record<string, string> {
  return withFluxAnnotations(apex ? gatewayAnnotations(canary) : {});
}

/**
 * Brings the gateway annotations of an existing apex virtual service up to date, leaving every other annotation
 * alone; returns true when something changed. Quirk fixed: Flagger's v1beta1 router replaces all annotations, and
 * its v1beta2 router never updates them after creation.
 */
export function syncGatewayAnnotations(
  metadata: { annotations?: Record<string, string> },
  canary: Canary,
): boolean {
  const desired = gatewayAnnotations(canary);
  const current = metadata.annotations ?? {};
  const kept = Object.entries(current).filter(([key]) => !GATEWAY_ANNOTATIONS.includes(key));
  const next = { ...Object.fromEntries(kept), ...desired };
  if (semanticallyEqual(next, current)) return false;
  metadata.annotations = next;
  return true;
}

/** Fields of an App Mesh spec that its controller fills in and that a rewrite keeps (v1beta2). */
interface ControllerFields {
  awsName?: unknown;
  meshRef?: unknown;
}

/**
 * Replaces current.spec with desired when they differ, keeping the fields App Mesh's controller owns (awsName,
 * meshRef); returns true when it changed. Zero values and key order are not differences.
 */
export function replaceSpec<S extends object>(current: { spec?: S }, desired: S): boolean {
  const owned = (current.spec ?? {}) as ControllerFields;
  const kept: S = {
    ...desired,
    ...(owned.awsName === undefined ? {} : { awsName: owned.awsName }),
    ...(owned.meshRef === undefined ? {} : { meshRef: owned.meshRef }),
  };
  if (semanticallyEqual(kept, current.spec)) return false;
  current.spec = kept;
  return true;
}

/** Runs one reconcile step; a failure reads `<step> failed: <reason>`, as in Flagger. */
export async function step(context: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    throw new Error(`${context} failed: ${(err as Error).message}`, { cause: err });
  }
}
