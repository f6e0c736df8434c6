// What an analysing canary's tick read, for its next tick (the next interval, usually): its target, primary and
// Services are read again only when a watch reports them changed. Idle canaries keep nothing, so that memory
// grows with the canaries under analysis, not with all of them.
import { ReadScope, type Carried, type IsCurrent } from '../kube/read-scope.ts';
import type { TickEnd } from './jobs.ts';

export class CarriedReads {
  private readonly isCurrent: IsCurrent;
  private readonly byCanary = new Map<string, Carried>();

  constructor(isCurrent: IsCurrent) {
    this.isCurrent = isCurrent;
  }

  /** Runs the tick of canary key in a read scope that starts from what its previous tick read. */
  async run(key: string, tick: () => Promise<TickEnd>): Promise<TickEnd> {
    const scope = new ReadScope({ carried: this.byCanary.get(key), isCurrent: this.isCurrent });
    this.byCanary.delete(key);
    let end: TickEnd | undefined;
    try {
      end = await scope.run(tick);
      return end;
    } finally {
      const carried = scope.close();
      if (end === 'analysing') this.byCanary.set(key, carried);
    }
  }

  forget(key: string): void {
    this.byCanary.delete(key);
  }
}
