/**
 * The rosbridge client's vocabulary: its options, the handles it returns (subscription, goal) and
 * the events it emits. Apart from client.ts so that the code that only passes messages around (the
 * safety layer's checks, verify.ts, the robot environment) and the actionlib transport read a short
 * file of shapes; client.ts re-exports all of it.
 *
 * @example
 * const options: RosbridgeClientOptions = { url: 'ws://127.0.0.1:9090', reconnect: { maxDelayMs: 250 } };
 * const onFeedback: GoalOptions['onFeedback'] = (f: RosMessage) => console.log(f.distance_remaining);
 */
import type { Compression } from './protocol.js';
import type { RosVersion } from './ros-types.js';

export type RosMessage = Record<string, unknown>;

export interface ReconnectOptions {
  /** Default true. */
  enabled?: boolean;
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** Give up after this many consecutive failed attempts (default: never). */
  maxAttempts?: number;
}

export interface RosbridgeClientOptions {
  url: string;
  /** Default time-out for connect, service calls and action results (ms). Default 10 000. */
  timeoutMs?: number;
  reconnect?: ReconnectOptions;
  /** Incomplete fragment sets are dropped after this long. */
  fragmentTtlMs?: number;
  /**
   * The ROS generation behind the bridge (default 2). On ROS 1 rosbridge has no action operations
   * (send_action_goal is an unknown op there, answered with silence), so `sendGoal` refuses at once.
   */
  ros?: RosVersion;
  /**
   * Ask the server for status frames at this level (`set_level`): rosbridge_suite on ROS 1 then
   * reports a refused request (an unknown type, a failed advertise) as `{op: 'status', level, msg,
   * id}` instead of silence, and the pending call with that id fails at once with the server's words.
   */
  statusLevel?: 'error' | 'warning' | 'info';
}

export interface SubscribeOptions {
  /** Minimum ms between messages, enforced by the server. */
  throttleRate?: number;
  /** How many messages the server may queue for us (throttled subscriptions). */
  queueLength?: number;
  fragmentSize?: number;
  compression?: Compression;
}

export interface Subscription {
  readonly topic: string;
  unsubscribe(): void;
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface GoalOptions {
  onFeedback?: (feedback: RosMessage) => void;
  /** Reject `result` (and cancel the goal) if no result arrives in time. Default: the client's timeoutMs. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ActionResult {
  /** action_msgs/msg/GoalStatus code: 4 succeeded, 5 canceled, 6 aborted, 0 when rosbridge failed. */
  status: number;
  /** rosbridge's `result` flag: false when the bridge itself failed (values is then an error string). */
  result: boolean;
  values: unknown;
}

export interface GoalHandle {
  readonly id: string;
  readonly action: string;
  /** Settles with the server's action_result, or rejects on time-out, abort or disconnection. */
  readonly result: Promise<ActionResult>;
  /** Send cancel_action_goal for this goal (no-op once it finished). */
  cancel(): void;
}

export interface ClientEvents {
  open: [];
  /** `wasOpen`: an open connection was lost (false when a connection attempt failed). */
  close: [{ code: number; reason: string; willReconnect: boolean; wasOpen: boolean }];
  reconnecting: [{ attempt: number; delayMs: number }];
  reconnected: [];
  malformed: [{ reason: string; raw: string }];
  status: [{ level: string; msg: string; id?: string }];
  /** A connection attempt failed while reconnecting (one per attempt; 'close' is per lost connection). */
  'connect-failed': [{ attempt: number }];
  error: [Error];
}
