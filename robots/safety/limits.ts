/**
 * Velocity limits: reading a Twist message into checked numbers, and clamping it to the profile's
 * speed and acceleration limits. Pure functions of their inputs, so the rule "braking is never
 * limited" is testable without a robot; the safety layer (robots/safety.ts) applies them to every
 * twist on cmd_vel.
 *
 * @example
 * const sent = clampTwist(toTwist({ linear: { x: 2 } }), ZERO_TWIST, 0.05, profile.safety.limits);
 * // sent.linear.x is at most maxLinear, and grew by at most maxLinearAccel × 0.05 s
 */
import type { RobotProfile } from '../profile.js';
import type { RosMessage } from '../rosbridge/client.js';
import { SafetyError } from './error.js';

export interface Twist {
  linear: { x: number; y: number; z: number };
  angular: { x: number; y: number; z: number };
}

/** Standing still. */
export const ZERO_TWIST: Twist = { linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } };

function fin(v: unknown, what: string): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SafetyError('E_SAFETY', `twist ${what} is not a finite number`, 'send numbers in m/s and rad/s');
  return v;
}

/** Read a (possibly partial) Twist message into numbers, refusing NaN and non-numbers. */
export function toTwist(msg: RosMessage): Twist {
  const l = (msg.linear ?? {}) as Record<string, unknown>;
  const a = (msg.angular ?? {}) as Record<string, unknown>;
  return {
    linear: { x: fin(l.x, 'linear.x'), y: fin(l.y, 'linear.y'), z: fin(l.z, 'linear.z') },
    angular: { x: fin(a.x, 'angular.x'), y: fin(a.y, 'angular.y'), z: fin(a.z, 'angular.z') },
  };
}

/** Length of a 3-vector (a speed in m/s or rad/s). */
export const norm = (v: { x: number; y: number; z: number }) => Math.hypot(v.x, v.y, v.z);
const scale = (v: { x: number; y: number; z: number }, k: number) => ({ x: v.x * k, y: v.y * k, z: v.z * k });

/** True when a twist asks for no motion at all. */
export function isStill(t: Twist): boolean {
  return norm(t.linear) === 0 && norm(t.angular) === 0;
}

/**
 * Clamp a twist to speed limits, then limit how fast speed may grow since the previous command
 * (`dt` seconds ago, capped at one control period). Slowing down is never limited.
 */
export function clampTwist(
  requested: Twist,
  previous: Twist,
  dtSeconds: number,
  limits: RobotProfile['safety']['limits'],
): Twist {
  const dt = Math.min(Math.max(dtSeconds, 0), 0.1);
  const limitVec = (v: { x: number; y: number; z: number }, prev: { x: number; y: number; z: number }, max: number, accel: number) => {
    let out = v;
    const n = norm(out);
    if (n > max) out = scale(out, max / n);
    const pn = norm(prev);
    const on = norm(out);
    if (on > pn) {
      // Growing speed: cap the change per control period.
      const d = { x: out.x - prev.x, y: out.y - prev.y, z: out.z - prev.z };
      const dn = norm(d);
      const maxStep = accel * dt;
      if (dn > maxStep) out = { x: prev.x + (d.x * maxStep) / dn, y: prev.y + (d.y * maxStep) / dn, z: prev.z + (d.z * maxStep) / dn };
    }
    return out;
  };
  return {
    linear: limitVec(requested.linear, previous.linear, limits.maxLinear, limits.maxLinearAccel),
    angular: limitVec(requested.angular, previous.angular, limits.maxAngular, limits.maxAngularAccel),
  };
}

