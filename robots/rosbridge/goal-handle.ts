/**
 * The goal handle both action transports share (ROS 2 action operations in client.ts, actionlib
 * topics on ROS 1 in actionlib.ts), so a caller cannot tell them apart: a time-out or an abort
 * cancels the goal on the robot before the result rejects, a goal that could not even be sent
 * rejects at once, and the pending entry is cleaned up exactly once whatever happens.
 *
 * @example
 * return makeGoalHandle({
 *   id, action, raw: resultPromise, send: () => sendGoalFrame(), sendCancel: () => sendCancelFrame(),
 *   connected: () => client.connected, timeoutMs: 30_000, label: `action ${action}`,
 *   hint: 'check that the action server is up', cleanup: () => pending.delete(id),
 * });
 */
import { errorMessage } from '../../core/errors.js';
import { withTimeout } from '../../core/timeout.js';
import type { ActionResult, GoalHandle } from './client-types.js';

/** Build a goal handle around a transport's raw result promise (see the file comment). */
export function makeGoalHandle(o: {
  id: string;
  action: string;
  raw: Promise<ActionResult>;
  send: () => void;
  sendCancel: () => void;
  connected: () => boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  label: string;
  hint: string;
  cleanup: () => void;
}): GoalHandle {
  let settled = false;
  const cancel = () => {
    if (settled || !o.connected()) return;
    o.sendCancel();
  };
  let result: Promise<ActionResult>;
  try {
    o.send();
    result = withTimeout(o.raw, o.timeoutMs, o.label, { signal: o.signal, hint: o.hint }).then(
      (r) => {
        settled = true;
        return r;
      },
      (err: unknown) => {
        cancel();
        settled = true;
        throw err;
      },
    );
  } catch (err) {
    settled = true;
    result = Promise.reject(err instanceof Error ? err : new Error(errorMessage(err)));
  }
  result.catch(() => {}).finally(o.cleanup);
  return { id: o.id, action: o.action, result, cancel };
}
