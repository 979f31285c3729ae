/**
 * Interrupted is not failed. An attempt that stopped because the agent was told to stop (Ctrl-C,
 * SIGTERM), because the language model was unavailable (an outage outlasting the retries), or
 * because the environment itself dropped (a server restart, a lost robot connection) says nothing
 * about the task or the skill. Agents record it as interrupted: no failed task, no failed skill
 * run, no lowered success statistic, no failure in episodic memory; the task is tried again.
 *
 * @example
 *   try { await attempt(task, signal); }
 *   catch (err) {
 *     const why = interruptionReason(err, signal);
 *     if (!why) throw err;                       // a real failure
 *     state.interrupted.push(task);              // retried later, not counted
 *   }
 */
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { AbortedError } from '../core/timeout.js';
import { isModelOutage } from './llm/errors.js';

/** Thrown inside an agent when an attempt cannot be judged: the stop signal fired or the environment dropped. */
export class AttemptInterrupted extends SkillforgeError {
  constructor(reason: string, cause?: unknown) {
    super('E_INTERRUPTED', reason, { cause });
    this.name = 'AttemptInterrupted';
  }
}

/** Why `err` is an interruption rather than a failure, or null when it is a failure. */
export function interruptionReason(err: unknown, signal?: AbortSignal): string | null {
  if (signal?.aborted) return `stopped (${reasonText(signal.reason)})`;
  if (err instanceof AttemptInterrupted) return err.message;
  if (isModelOutage(err)) return `the language model is unavailable: ${errorMessage(err)}`;
  if (err instanceof AbortedError) return errorMessage(err);
  return null;
}

/**
 * After running something in `env` since `since`: throw AttemptInterrupted when the stop signal
 * fired or the environment says it was interrupted meanwhile, so the outcome is not recorded.
 */
export function throwIfInterrupted(env: { interruptedSince?(since: number): string | null }, since: number, signal?: AbortSignal): void {
  if (signal?.aborted) throw new AttemptInterrupted(`stopped (${reasonText(signal.reason)})`);
  const dropped = env.interruptedSince?.(since);
  if (dropped) throw new AttemptInterrupted(`the environment was interrupted: ${dropped}`);
}

function reasonText(reason: unknown): string {
  return reason === undefined ? 'aborted' : errorMessage(reason);
}
