/**
 * What a commander of the safety layer passes and hears: the options of `SafeRobot.connect`, a goal's
 * options and result, the motion request a person is asked to confirm, and the events the layer
 * emits. Kept apart from robots/safety.ts so that the layer's file is its behaviour, and so that code
 * that only configures or listens (the CLI, the dashboard) reads a short file.
 *
 * @example
 * const options: SafeConnectOptions = { url, profile, confirm: async (r) => ask(`${r.description}?`) };
 * robot.on('clamped', ({ requested, sent }: SafetyEvents['clamped'][0]) => log(requested, sent));
 */
import type { RobotProfile } from '../profile.js';
import type { ActionResult, ReconnectOptions, RosMessage } from '../rosbridge/client.js';
import type { Twist } from './limits.js';

export interface MotionRequest {
  kind: 'navigate' | 'action' | 'twist';
  /** One line for a person: "navigate to table (3.00, 1.50)". */
  description: string;
  target: string;
  args: RosMessage;
}

export interface SafetyOptions {
  profile: RobotProfile;
  /** Asked before each motion; false refuses it. */
  confirm?: (request: MotionRequest) => Promise<boolean>;
  /** Log motions instead of commanding them (reads still happen). */
  dryRun?: boolean;
  /** Where safety decisions are logged. */
  log?: (line: string) => void;
}

export interface SafeConnectOptions extends SafetyOptions {
  url: string;
  timeoutMs?: number;
  /** maxDelayMs is capped at MAX_RECONNECT_DELAY_MS: an owed stop must not wait on a long backoff. */
  reconnect?: ReconnectOptions;
}

/** The longest wait between reconnect attempts: an owed stop must reach the robot within 500 ms of the bridge's return. */
export const MAX_RECONNECT_DELAY_MS = 250;

export interface SafeGoalOptions {
  onFeedback?: (feedback: RosMessage) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** An action result, plus whether it was only logged (dry run). */
export interface SafeActionResult extends ActionResult {
  dryRun: boolean;
}

export interface SafetyEvents {
  estop: [{ reason: string; source: 'topic' | 'program' }];
  watchdog: [{ stalledMs: number }];
  /** Once per outage (not per failed reconnect attempt). */
  'connection-lost': [{ goals: string[] }];
  /** `stopped`: an owed stop was delivered first thing on this connection. */
  'connection-restored': [{ cancelled: string[]; stopped: boolean }];
  /** A status frame from the bridge (rosbridge on ROS 1 reports refused requests this way). */
  status: [{ level: string; msg: string; id?: string }];
  clamped: [{ requested: Twist; sent: Twist }];
  refused: [{ code: string; message: string }];
  log: [string];
  /** A frame from the robot failed validation (reported, dropped). */
  malformed: [{ reason: string; raw: string }];
  reconnecting: [{ attempt: number; delayMs: number }];
}

