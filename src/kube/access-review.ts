// Who a bearer token belongs to (TokenReview) and what that user may do (SubjectAccessReview): how a server that
// acts with its own credentials serves each caller only what the caller's RBAC allows.
import type { KubeClient } from './client.ts';

/** An authenticated user as the API server knows them. */
export interface UserIdentity {
  username: string;
  uid?: string;
  groups: string[];
}

/** One request a user could make, as RBAC sees it. */
export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

interface TokenReview {
  apiVersion: string;
  kind: string;
  metadata: Record<string, never>;
  spec: { token: string };
  status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[] } };
}

interface SubjectAccessReview {
  apiVersion: string;
  kind: string;
  metadata: Record<string, never>;
  spec: { user: string; uid?: string; groups: string[]; resourceAttributes: ResourceAttributes };
  status?: { allowed?: boolean };
}

/** The user a token authenticates, or undefined when the API server does not accept it. */
export async function reviewToken(client: KubeClient, token: string): Promise<UserIdentity | undefined> {
  const review = await client.review<TokenReview>({
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenReview',
    metadata: {},
    spec: { token },
  });
  const user = review.status?.user;
  if (review.status?.authenticated !== true || !user?.username) return undefined;
  return { username: user.username, ...(user.uid && { uid: user.uid }), groups: user.groups ?? [] };
}

/** True when RBAC (or the cluster's authorizer) lets user make the request. */
export async function accessAllowed(
  client: KubeClient,
  user: UserIdentity,
  attributes: ResourceAttributes,
): Promise<boolean> {
  const review = await client.review<SubjectAccessReview>({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    metadata: {},
    spec: {
      user: user.username,
      ...(user.uid !== undefined && { uid: user.uid }),
      groups: user.groups,
      resourceAttributes: attributes,
    },
  });
  return review.status?.allowed === true;
}
