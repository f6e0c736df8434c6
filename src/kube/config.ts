// Loading cluster credentials: an explicit kubeconfig file, else $KUBECONFIG / ~/.kube/config, else the
// in-cluster service account (what the official client's loadFromDefault does), with Flagger's -master override.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, type KubeClientOptions } from './client.ts';

export interface ConnectOptions extends KubeClientOptions {
  /** Path of a kubeconfig file (Flagger's -kubeconfig). */
  kubeconfig?: string;
  /** API server URL that replaces the kubeconfig's (Flagger's -master). */
  master?: string;
}

/** Loads credentials and returns a client for them. */
export function connect(options: ConnectOptions = {}): KubeClient {
  const kc = new KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  if (options.master) overrideServer(kc, options.master);
  return new KubeClient(kc, options);
}

function overrideServer(kc: KubeConfig, server: string): void {
  const current = kc.getCurrentCluster();
  if (!current) throw new Error('the kubeconfig has no current cluster to point at the -master URL');
  kc.clusters = kc.clusters.map(c => (c.name === current.name ? { ...c, server } : c));
}
