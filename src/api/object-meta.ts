// Kubernetes object metadata. A CRD may only declare `metadata` as a bare object (the API server validates
// it itself), so the schema is `{ type: object }` while the TypeScript type lists the fields we read.
import { Type, type TUnsafe } from 'typebox';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export function ObjectMetaSchema(): TUnsafe<ObjectMeta> {
  return Type.Unsafe<ObjectMeta>({ type: 'object' });
}
