// The webhook gates of one tick, with Flagger's events and alerts (pkg/controller/scheduler_hooks.go). Hooks
// of one type run in spec order; for gates the first failure stops the chain.
import type { Canary, CanaryWebhook } from '../api/canary.ts';
import type { CanaryPhase } from '../api/phases.ts';
import type { HookResult, WebhookPayload } from '../webhooks/types.ts';
import { webhookPayload } from '../webhooks/payload.ts';
import { hooksOfType } from '../webhooks/run.ts';
import { canaryId, type CanaryRecorder } from './recorder.ts';
import { setCounter, setPhase } from './status.ts';
import type { CanaryWriter } from './status-writer.ts';

export type CallHook = (hook: CanaryWebhook, payload: WebhookPayload) => Promise<HookResult>;

export class Gates {
  private readonly recorder: CanaryRecorder;
  private readonly status: CanaryWriter;
  private readonly callHook: CallHook;

  constructor(recorder: CanaryRecorder, status: CanaryWriter, callHook: CallHook) {
    this.recorder = recorder;
    this.status = status;
    this.callHook = callHook;
  }

  /** confirm-rollout: a failure parks the canary in Waiting (no failed check). Returns whether it may start. */
  async confirmRollout(canary: Canary): Promise<boolean> {
    for (const hook of hooksOfType(canary.spec.analysis, 'confirm-rollout')) {
      const result = await this.call(canary, hook, canary.status?.phase ?? '');
      if (!result.ok) {
        if (canary.status?.phase !== 'Waiting') {
          await this.status.apply(canary, setPhase('Waiting'));
          await this.recorder.warn(
            canary,
            `Halt ${canaryId(canary)} advancement waiting for approval ${hook.name}`,
          );
          if (hook.muteAlert !== true)
            await this.recorder.alert(canary, 'Canary is waiting for approval.', false, 'warn');
        }
        return false;
      }
      await this.recorder.info(canary, `Confirm-rollout check ${hook.name} passed`);
    }
    return true;
  }

  /** confirm-promotion: a failure parks the canary in WaitingPromotion. Returns whether it may be promoted. */
  async confirmPromotion(canary: Canary): Promise<boolean> {
    for (const hook of hooksOfType(canary.spec.analysis, 'confirm-promotion')) {
      const result = await this.call(canary, hook, 'Progressing');
      if (!result.ok) {
        if (canary.status?.phase !== 'WaitingPromotion') {
          await this.status.apply(canary, setPhase('WaitingPromotion'));
          await this.recorder.warn(
            canary,
            `Halt ${canaryId(canary)} advancement waiting for promotion approval ${hook.name}`,
          );
          if (hook.muteAlert !== true) {
            await this.recorder.alert(canary, 'Canary promotion is waiting for approval.', false, 'warn');
          }
        } else {
          // Still waiting: keep iterations one short so the promotion step is reached again next tick.
          await this.status.apply(
            canary,
            setCounter('iterations', (canary.spec.analysis.iterations ?? 0) - 1),
          );
        }
        return false;
      }
      await this.recorder.info(canary, `Confirm-promotion check ${hook.name} passed`);
    }
    return true;
  }

  /** confirm-traffic-increase: a failure only waits (no failed check, no phase change). */
  async confirmTrafficIncrease(canary: Canary): Promise<boolean> {
    for (const hook of hooksOfType(canary.spec.analysis, 'confirm-traffic-increase')) {
      const result = await this.call(canary, hook, 'Progressing');
      if (!result.ok) {
        await this.recorder.warn(
          canary,
          `Halt ${canaryId(canary)} advancement waiting for traffic increase approval ${hook.name}`,
        );
        if (hook.muteAlert !== true) {
          await this.recorder.alert(
            canary,
            'Canary traffic increase is waiting for approval.',
            false,
            'warn',
          );
        }
        return false;
      }
      await this.recorder.info(canary, `Confirm-traffic-increase check ${hook.name} passed`);
    }
    return true;
  }

  /** pre-rollout hooks, on the first analysis step. */
  async preRollout(canary: Canary): Promise<boolean> {
    for (const hook of hooksOfType(canary.spec.analysis, 'pre-rollout')) {
      const result = await this.call(canary, hook, 'Progressing');
      if (!result.ok) {
        await this.recorder.warn(
          canary,
          `Halt ${canaryId(canary)} advancement pre-rollout check ${hook.name} failed ${result.message}`,
        );
        // Flagger sends no alert here (its issue #1663): the run would stall unnoticed until the rollback.
        if (hook.muteAlert !== true) {
          const message = `Pre-rollout check ${hook.name} failed ${result.message}`;
          await this.recorder.alert(canary, message, false, 'warn');
        }
        return false;
      }
      await this.recorder.info(canary, `Pre-rollout check ${hook.name} passed`);
    }
    return true;
  }

  /** rollout hooks, the external checks of every later analysis step. */
  async rollout(canary: Canary): Promise<boolean> {
    for (const hook of hooksOfType(canary.spec.analysis, 'rollout')) {
      const result = await this.call(canary, hook, 'Progressing');
      if (!result.ok) {
        await this.recorder.warn(
          canary,
          `Halt ${canaryId(canary)} advancement external check ${hook.name} failed ${result.message}`,
        );
        return false;
      }
    }
    return true;
  }

  /** post-rollout hooks after Succeeded or Failed; failures are only reported. */
  async postRollout(canary: Canary, phase: CanaryPhase): Promise<void> {
    for (const hook of hooksOfType(canary.spec.analysis, 'post-rollout')) {
      const result = await this.call(canary, hook, phase);
      if (!result.ok) {
        await this.recorder.warn(canary, `Post-rollout hook ${hook.name} failed ${result.message}`);
        return;
      }
      await this.recorder.info(canary, `Post-rollout check ${hook.name} passed`);
    }
  }

  /** rollback hooks: the first one that answers 2xx asks for a rollback. */
  async rollbackRequested(canary: Canary, phase: CanaryPhase): Promise<boolean> {
    for (const hook of hooksOfType(canary.spec.analysis, 'rollback')) {
      const result = await this.call(canary, hook, phase);
      if (result.ok) {
        await this.recorder.warn(canary, `Rollback check ${hook.name} passed`);
        return true;
      }
      await this.recorder.info(canary, `Rollback hook ${hook.name} not signaling a rollback`);
    }
    return false;
  }

  private call(canary: Canary, hook: CanaryWebhook, phase: CanaryPhase): Promise<HookResult> {
    return this.callHook(hook, webhookPayload(canary, phase, hook.metadata));
  }
}
