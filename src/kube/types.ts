// Object shapes as they travel over the wire. The official client's model types declare timestamps as Date,
// but this layer hands out the server's JSON unchanged, where they are RFC 3339 strings: Wire<T> says so.
import type * as k8s from '@kubernetes/client-node';

/** T with every Date replaced by the string the API server sends. */
export type Wire<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export type ObjectMeta = Wire<k8s.V1ObjectMeta>;
export type OwnerReference = Wire<k8s.V1OwnerReference>;

/** Any Kubernetes object: what every call of this layer takes and returns. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** Names one object: its type and, for namespaced kinds, its namespace. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** A list response: the items and the resourceVersion to watch from. */
export interface ObjectList<T> {
  items: T[];
  resourceVersion: string;
}

export type Deployment = Wire<k8s.V1Deployment>;
export type DaemonSet = Wire<k8s.V1DaemonSet>;
export type ReplicaSet = Wire<k8s.V1ReplicaSet>;
export type Service = Wire<k8s.V1Service>;
export type ConfigMap = Wire<k8s.V1ConfigMap>;
export type Secret = Wire<k8s.V1Secret>;
export type Pod = Wire<k8s.V1Pod>;
export type PodTemplateSpec = Wire<k8s.V1PodTemplateSpec>;
export type Node = Wire<k8s.V1Node>;
export type Namespace = Wire<k8s.V1Namespace>;
export type CoreEvent = Wire<k8s.CoreV1Event>;
export type Lease = Wire<k8s.V1Lease>;
export type CustomResourceDefinition = Wire<k8s.V1CustomResourceDefinition>;
export type HorizontalPodAutoscaler = Wire<k8s.V2HorizontalPodAutoscaler>;

/** The namespace/name key used by caches and queues ("name" alone for cluster-scoped objects). */
export function objectKey(obj: KubeObject): string {
  return namespacedKey(obj.metadata?.namespace, obj.metadata?.name ?? '');
}

/** objectKey of the object namespace/name. */
export function namespacedKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Splits a key made by objectKey. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
