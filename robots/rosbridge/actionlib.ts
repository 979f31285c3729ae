/**
 * ROS 1 actions over rosbridge: actionlib's five topics (goal, cancel, status, feedback, result)
 * driven through plain publish/subscribe, because rosbridge on ROS 1 has no action operations.
 * Goals get the same `GoalHandle` as ROS 2 actions, with actionlib's status codes mapped to
 * action_msgs' (SUCCEEDED 4, CANCELED 5, ABORTED 6), so callers cannot tell the two apart.
 *
 * @example
 * const al = new ActionlibClient(ros);   // ros: a RosbridgeClient connected to a ROS 1 bridge
 * const g = al.sendGoal('/move_base', 'move_base_msgs/action/MoveBase', { target_pose }, { onFeedback });
 * const { status } = await g.result;     // 4 when move_base reports SUCCEEDED
 */
import { SkillforgeError } from '../../core/errors.js';
import type { RosbridgeClient } from './client.js';
import type { ActionResult, GoalHandle, GoalOptions, RosMessage, Subscription } from './client-types.js';
import { makeGoalHandle } from './goal-handle.js';
import { actionlibTopics, ros1StatusToRos2, type ActionlibTopics } from './ros-types.js';

interface Pending {
  onFeedback?: (feedback: RosMessage) => void;
  resolve: (r: ActionResult) => void;
  reject: (err: Error) => void;
}

interface Server {
  topics: ActionlibTopics;
  subs: Subscription[];
  pending: Map<string, Pending>;
}

function goalIdOf(m: RosMessage): string | undefined {
  const status = m.status as { goal_id?: { id?: unknown } } | undefined;
  const id = status?.goal_id?.id;
  return typeof id === 'string' ? id : undefined;
}

export class ActionlibClient {
  readonly #ros: RosbridgeClient;
  readonly #servers = new Map<string, Server>();
  #counter = 0;

  constructor(ros: RosbridgeClient) {
    this.#ros = ros;
  }

  /** The topics of `action` (for interface checks). */
  topics(action: string, actionType: string): ActionlibTopics {
    return actionlibTopics(action, actionType);
  }

  /** Subscribe to status/feedback/result and advertise goal/cancel of one action server (idempotent). */
  attach(action: string, actionType: string): ActionlibTopics {
    let server = this.#servers.get(action);
    if (server) return server.topics;
    const topics = actionlibTopics(action, actionType);
    const pending = new Map<string, Pending>();
    server = { topics, pending, subs: [] };
    this.#servers.set(action, server);
    this.#ros.advertise(topics.goal.topic, topics.goal.type);
    this.#ros.advertise(topics.cancel.topic, topics.cancel.type);
    server.subs.push(
      this.#ros.subscribe(topics.feedback.topic, topics.feedback.type, (m) => {
        const id = goalIdOf(m);
        if (id) pending.get(id)?.onFeedback?.((m.feedback ?? {}) as RosMessage);
      }),
      this.#ros.subscribe(topics.result.topic, topics.result.type, (m) => {
        const id = goalIdOf(m);
        const p = id ? pending.get(id) : undefined;
        if (!p) return;
        pending.delete(id!);
        const st = m.status as { status?: unknown; text?: unknown };
        const code = typeof st.status === 'number' ? st.status : 4;
        const values = { ...((m.result ?? {}) as RosMessage), text: typeof st.text === 'string' ? st.text : '' };
        p.resolve({ status: ros1StatusToRos2(code), result: true, values });
      }),
    );
    return topics;
  }

  /** Send a goal on `<action>/goal`; the result settles from `<action>/result`. */
  sendGoal(action: string, actionType: string, args: RosMessage, options: GoalOptions = {}): GoalHandle {
    const topics = this.attach(action, actionType);
    const server = this.#servers.get(action)!;
    const id = `skillforge-${process.pid}-${Date.now()}-${++this.#counter}`;
    const raw = new Promise<ActionResult>((resolve, reject) => server.pending.set(id, { onFeedback: options.onFeedback, resolve, reject }));
    return makeGoalHandle({
      id,
      action,
      raw,
      send: () => this.#ros.publish(topics.goal.topic, { header: { frame_id: '' }, goal_id: { id }, goal: args }),
      sendCancel: () => this.cancelGoal(action, actionType, id),
      connected: () => this.#ros.connected,
      timeoutMs: options.timeoutMs ?? this.#ros.timeoutMs,
      signal: options.signal,
      label: `action ${action} (actionlib)`,
      hint: `no result on ${topics.result.topic}: is the action server (e.g. move_base) running?`,
      cleanup: () => server.pending.delete(id),
    });
  }

  /** Publish a cancel for goal `id` on `<action>/cancel` (also for a goal sent before a reconnect). */
  cancelGoal(action: string, actionType: string, id: string): void {
    const topics = this.attach(action, actionType);
    this.#ros.advertise(topics.cancel.topic, topics.cancel.type);
    this.#ros.publish(topics.cancel.topic, { stamp: { secs: 0, nsecs: 0 }, id });
  }

  /** Fail every pending goal (the connection dropped: results on the old socket are lost). */
  failAll(why: string): void {
    for (const s of this.#servers.values()) {
      for (const [id, p] of s.pending) {
        s.pending.delete(id);
        p.reject(new SkillforgeError('E_DISCONNECTED', `actionlib goal ${id}: ${why}`, { hint: 'the goal is cancelled when the connection is back' }));
      }
    }
  }
}
