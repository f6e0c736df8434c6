// The manual gates of Flagger's load tester: `/gate/*` for confirm-* hooks (key `<name>.<namespace>`) and
// `/rollback/*` for rollback hooks (key `rollback.<name>.<namespace>`). A gate never set is closed.

import type { GateStore } from './gate-store.ts';

export type GateKind = 'gate' | 'rollback';

export function gateKey(kind: GateKind, name: string, namespace: string): string {
  const canary = `${name}.${namespace}`;
  return kind === 'rollback' ? `rollback.${canary}` : canary;
}

export class Gates {
  private readonly store: GateStore;

  constructor(store: GateStore) {
    this.store = store;
  }

  get description(): string {
    return this.store.description;
  }

  /**
   * Whether the gate is open. Flagger stores an unknown gate as closed on its first check; not storing it
   * answers the same and spares a write per check.
   */
  async isOpen(key: string): Promise<boolean> {
    return (await this.store.get(key)) === true;
  }

  open(key: string): Promise<void> {
    return this.store.set(key, true);
  }

  close(key: string): Promise<void> {
    return this.store.set(key, false);
  }
}
