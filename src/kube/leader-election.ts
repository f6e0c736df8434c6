// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it for Flagger: one
// process holds the lease and renews it; the others wait until it has not been renewed for a lease duration,
// judged by their own clock since they last saw it change (so clock skew between nodes does not matter).
// Updates carry the resourceVersion read, so two candidates can never both take the lease.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from './client.ts';
import { isConflict, isNotFound } from './errors.ts';
import type { Lease } from './types.ts';

export interface LeaderElectionOptions {
  namespace: string;
  /** Flagger's lock name: flagger-leader-election. */
  name: string;
  /** Unique per process: hostname and a random id by default, as client-go makes it. */
  identity?: string;
  /** Flagger: 60s lease, renewed within 15s, tried every 5s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Told about failed attempts (API errors), which are retried. */
  onError?: (err: unknown) => void;
}

type Role = 'leading' | 'following';
type LeaseApi = Pick<KubeClient, 'tryGet' | 'create' | 'update'>;
const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' } as const;

export class LeaderElector {
  readonly identity: string;
  private readonly kube: LeaseApi;
  private readonly options: Required<Omit<LeaderElectionOptions, 'onError'>> & LeaderElectionOptions;
  /** The lease record as last seen, and when (by our clock) it last changed. */
  private observed: { holder: string; renewTime: string; at: number } | undefined;

  constructor(kube: LeaseApi, options: LeaderElectionOptions) {
    this.kube = kube;
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.options = {
      leaseDurationMs: 60_000,
      renewDeadlineMs: 15_000,
      retryPeriodMs: 5_000,
      identity: this.identity,
      ...options,
    };
  }

  /** Resolves once this process holds the lease; rejects when `signal` aborts first. */
  async acquire(signal: AbortSignal): Promise<void> {
    for (;;) {
      if ((await this.attempt()) === 'leading') return;
      await sleep(this.options.retryPeriodMs, undefined, { signal });
    }
  }

  /**
   * Keeps renewing the lease; resolves when it could not be renewed within the renew deadline (leadership is
   * lost: stop acting at once) or when `signal` aborts (then the lease is released for a fast handover).
   */
  async hold(signal: AbortSignal): Promise<'lost' | 'released'> {
    let renewed = Date.now();
    while (!signal.aborted) {
      try {
        await sleep(this.options.retryPeriodMs, undefined, { signal });
      } catch {
        break;
      }
      if ((await this.attempt()) === 'leading') renewed = Date.now();
      else if (Date.now() - renewed >= this.options.renewDeadlineMs) return 'lost';
    }
    await this.release();
    return 'released';
  }

  /** client-go's tryAcquireOrRenew: take a free or expired lease, renew our own, else follow. */
  private async attempt(): Promise<Role> {
    const { namespace, name } = this.options;
    try {
      const lease = await this.kube.tryGet<Lease>({ ...LEASE, namespace, name });
      if (lease === undefined) {
        await this.kube.create<Lease>({
          ...LEASE,
          metadata: { namespace, name },
          spec: this.record(undefined),
        });
        return 'leading';
      }
      if (!this.mayTake(lease)) return 'following';
      // The resourceVersion read makes this fail with a conflict if another candidate wrote meanwhile.
      await this.kube.update<Lease>({ ...lease, spec: this.record(lease.spec) });
      return 'leading';
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) this.options.onError?.(err);
      return 'following';
    }
  }

  /** Ours, free, or not renewed for a lease duration since we last saw it change. */
  private mayTake(lease: Lease): boolean {
    const holder = lease.spec?.holderIdentity ?? '';
    const renewTime = lease.spec?.renewTime ?? '';
    if (this.observed?.holder !== holder || this.observed.renewTime !== renewTime) {
      this.observed = { holder, renewTime, at: Date.now() };
    }
    if (holder === this.identity || holder === '') return true;
    return this.observed.at + (lease.spec?.leaseDurationSeconds ?? 0) * 1000 <= Date.now();
  }

  /** The lease spec with us as holder, renewed now; a new holder counts a transition. */
  private record(current: Lease['spec']): NonNullable<Lease['spec']> {
    const now = microTime(new Date());
    const ours = current?.holderIdentity === this.identity;
    return {
      ...current,
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
      renewTime: now,
      acquireTime: ours ? current.acquireTime : now,
      leaseTransitions: (current?.leaseTransitions ?? -1) + (ours ? 0 : 1),
    };
  }

  /** Gives the lease up (client-go's ReleaseOnCancel), so a follower takes over without waiting it out. */
  private async release(): Promise<void> {
    try {
      const { namespace, name } = this.options;
      const lease = await this.kube.tryGet<Lease>({ ...LEASE, namespace, name });
      if (lease?.spec?.holderIdentity !== this.identity) return;
      await this.kube.update<Lease>({
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          renewTime: microTime(new Date()),
        },
      });
    } catch (err) {
      this.options.onError?.(err);
    }
  }
}

/** The MicroTime format of Lease times: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
