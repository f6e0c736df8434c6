// Timestamps as Kubernetes writes them (metav1.Time): RFC 3339 in UTC with whole seconds.

/** The current time, e.g. "2026-11-22T04:13:42Z". */
export function kubeNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
