/**
 * Closed-loop motion for twist-only bases: go to a pose, drive a distance, turn an angle, by
 * steering geometry_msgs Twist commands from odometry. It commands only through the `drive`
 * function it is given (the safety layer's), so every command is clamped, geofenced and watched
 * like any other; the controller deliberately asks for more than the limits allow far from the
 * goal and lets the safety layer's clamp and ramp shape the speed (one place owns the limits).
 *
 * The control law is the textbook unicycle one: turn on the spot while the heading error is large,
 * else drive with speed proportional to the distance and steer proportional to the heading error;
 * at the position, turn to the final heading.
 *
 * @example
 * await goToPose({ pose: () => latest, drive: (t) => robot.drive(t), signal }, { x: 3, y: 1.5, yaw: 0 });
 */
import { SkillforgeError } from '../core/errors.js';
import { sleep } from '../core/timeout.js';
import { inPolygon } from './geometry.js';
import type { Pose2D } from './profile.js';

export interface TwistCommand {
  linear: { x: number; y: number; z: number };
  angular: { x: number; y: number; z: number };
}

export interface MotionPort {
  /** The latest pose from odometry or localization (null before the first message). */
  pose(): Pose2D | null;
  /** Send a velocity command (through the safety layer). */
  drive(twist: TwistCommand): Promise<unknown>;
  /** Aborts the motion (stop, e-stop, watchdog, time-out). */
  signal?: AbortSignal;
  /** While moving, the pose must stay inside this polygon (else stop and fail). */
  geofence?: readonly (readonly number[])[];
  /** Called every control period with the distance left and the pose. */
  onProgress?: (p: { distanceRemaining: number; pose: Pose2D }) => void;
}

export interface MotionOptions {
  /** Position tolerance (m). Default 0.05. */
  tolerance?: number;
  /** Heading tolerance (rad). Default 0.05. */
  yawTolerance?: number;
  /** Control period (ms). Default 100, the period the acceleration clamp assumes. */
  periodMs?: number;
  /** Give up after this long (ms). Default 60 000. */
  timeoutMs?: number;
  /** Proportional gains: m/s per m of distance, rad/s per rad of heading error. */
  kLinear?: number;
  kAngular?: number;
}

const twist = (x: number, z: number): TwistCommand => ({ linear: { x, y: 0, z: 0 }, angular: { x: 0, y: 0, z } });

/** Wrap an angle to (-π, π]. */
export function wrapAngle(a: number): number {
  let r = a % (2 * Math.PI);
  if (r > Math.PI) r -= 2 * Math.PI;
  if (r <= -Math.PI) r += 2 * Math.PI;
  return r;
}

function aborted(signal: AbortSignal | undefined): never {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) throw reason;
  throw new SkillforgeError('E_ABORTED', `motion stopped${reason ? `: ${String(reason)}` : ''}`);
}

/** Drive to `target` (map frame; `yaw` undefined: any final heading). Resolves at the pose, stopped. */
export async function goToPose(port: MotionPort, target: { x: number; y: number; yaw?: number }, options: MotionOptions = {}): Promise<Pose2D> {
  const tol = options.tolerance ?? 0.05;
  const yawTol = options.yawTolerance ?? 0.05;
  const period = options.periodMs ?? 100;
  const kLin = options.kLinear ?? 1.2;
  const kAng = options.kAngular ?? 2.5;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let positioned = false;
  try {
    while (true) {
      if (port.signal?.aborted) aborted(port.signal);
      const p = port.pose();
      if (!p) throw new SkillforgeError('E_NO_POSE', 'no odometry pose to steer by', { hint: 'check observations.odom / observations.amcl of the robot profile' });
      if (port.geofence && !inPolygon(p.x, p.y, port.geofence)) {
        throw new SkillforgeError('E_SAFETY', `the robot left the geofence at (${p.x.toFixed(2)}, ${p.y.toFixed(2)}); stopped`, { hint: 'check odometry and the geofence polygon of the robot profile' });
      }
      if (Date.now() > deadline) throw new SkillforgeError('E_TIMEOUT', `go to (${target.x.toFixed(2)}, ${target.y.toFixed(2)}): not there after ${options.timeoutMs ?? 60_000} ms`);
      const dx = target.x - p.x;
      const dy = target.y - p.y;
      const dist = Math.hypot(dx, dy);
      port.onProgress?.({ distanceRemaining: dist, pose: p });
      if (dist <= tol) positioned = true;
      // Hysteresis: once there, small drift while turning does not restart the approach.
      if (positioned && dist > tol * 3) positioned = false;
      let cmd: TwistCommand;
      if (positioned) {
        const yawErr = target.yaw === undefined ? 0 : wrapAngle(target.yaw - p.yaw);
        if (Math.abs(yawErr) <= yawTol) break;
        cmd = twist(0, kAng * yawErr);
      } else {
        const headingErr = wrapAngle(Math.atan2(dy, dx) - p.yaw);
        cmd = Math.abs(headingErr) > 0.35 ? twist(0, kAng * headingErr) : twist(kLin * dist * Math.cos(headingErr), kAng * headingErr);
      }
      await port.drive(cmd);
      // Rejects (AbortedError) when the motion is stopped: the finally below still ends at rest.
      await sleep(period, port.signal);
    }
  } finally {
    // Always end at rest, however the loop ended (a failed drive here must not mask the cause).
    await port.drive(twist(0, 0)).catch(() => {});
  }
  return port.pose()!;
}

/** Drive `meters` straight ahead (negative: not supported, the base has no rear sensing assumed). */
export async function driveDistance(port: MotionPort, meters: number, options: MotionOptions = {}): Promise<Pose2D> {
  const p = port.pose();
  if (!p) throw new SkillforgeError('E_NO_POSE', 'no odometry pose to steer by');
  if (!(meters > 0)) throw new SkillforgeError('E_USAGE', `drive distance must be a positive number of metres, got ${meters}`);
  return goToPose(port, { x: p.x + Math.cos(p.yaw) * meters, y: p.y + Math.sin(p.yaw) * meters, yaw: p.yaw }, options);
}

/** Turn on the spot by `radians` (counter-clockwise positive). */
export async function turnAngle(port: MotionPort, radians: number, options: MotionOptions = {}): Promise<Pose2D> {
  const p = port.pose();
  if (!p) throw new SkillforgeError('E_NO_POSE', 'no odometry pose to steer by');
  return goToPose(port, { x: p.x, y: p.y, yaw: wrapAngle(p.yaw + radians) }, { ...options, tolerance: Math.max(options.tolerance ?? 0.05, 0.1) });
}
