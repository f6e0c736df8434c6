// The options and answers of the API client (kube/client.ts), apart from its verbs, so that both read shortly.
import type { Dispatcher } from 'undici';
import type { RateLimit } from './rate-limiter.ts';

/** How another HTTP client reaches the API server with this client's identity. */
export interface ClusterConnection {
  /** The API server URL, e.g. https://10.96.0.1:443. */
  server: string;
  /** The bearer token, when the identity is one (a service account's, an exec plugin's). */
  token?: string;
  /** Carries the cluster's CA and client certificates, if any. */
  dispatcher?: Dispatcher;
}

export interface KubeClientOptions {
  /** Recorded as the manager of the fields this client writes. */
  fieldManager?: string;
  /** Per-request timeout (watches have their own inactivity timeout). */
  requestTimeoutMs?: number;
  /** Client-side limit of requests and watch starts (Flagger's -kubeconfig-qps/-kubeconfig-burst); none when unset. */
  rateLimit?: RateLimit;
  /**
   * How long the API server keeps a watch open (randomized up to twice as long, as client-go does, so that
   * watches do not all restart together). A watch silent for longer than that plus a margin is dead (a dropped
   * path that never closed the connection) and ends with a TimeoutError, so its owner starts a new one.
   */
  watchTimeoutSeconds?: number;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Objects as metadata only (PartialObjectMetadata): enough to notice a change, without keeping the data of
   * every ConfigMap and Secret in memory.
   */
  metadataOnly?: boolean;
}

export interface WatchOptions extends ListOptions {
  resourceVersion: string;
}

/** One watch event as the API server sends it. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** A running watch; abort() ends it and its done callback receives no error. */
export interface WatchHandle {
  abort(): void;
}
