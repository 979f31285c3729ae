/**
 * The geofence: a goal that carries a pose (a navigation goal's `pose`, move_base's `target_pose`,
 * any action goal with a PoseStamped) must have a finite position, be in the profile's frame, and lie
 * inside the profile's geofence polygon. Goals without a pose pass: the check is about where the
 * robot is sent, and closed-loop motion checks its computed destination the same way.
 *
 * @example
 * geofenceProblem({ pose: { header: { frame_id: 'map' }, pose: { position: { x: 9, y: 0 } } } }, profile);
 * // { message: 'goal (9.00, 0.00) is outside the geofence', hint: 'pick a location inside …' }
 */
import { inPolygon } from '../geometry.js';
import type { RobotProfile } from '../profile.js';
import type { RosMessage } from '../rosbridge/client.js';

/** Why a command is refused, and what to do about it (when there is more to say than the message). */
export interface Refusal {
  message: string;
  hint?: string;
}

/** Why the pose in `args` may not be a goal, or null when it may (or there is no pose). */
export function geofenceProblem(args: RosMessage, profile: RobotProfile): Refusal | null {
  const stamped = (args.pose ?? args.target_pose) as { header?: { frame_id?: unknown }; pose?: { position?: { x?: unknown; y?: unknown } } } | undefined;
  if (!stamped || typeof stamped !== 'object') return null;
  const position = stamped.pose?.position;
  if (!position) return null;
  const { x, y } = position;
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
    return { message: 'goal pose has no finite position' };
  }
  const frame = stamped.header?.frame_id;
  if (frame !== undefined && frame !== '' && frame !== profile.frame) {
    return { message: `goal pose is in frame '${String(frame)}', the geofence is in '${profile.frame}'` };
  }
  if (!inPolygon(x, y, profile.safety.geofence.polygon)) {
    return { message: `goal (${x.toFixed(2)}, ${y.toFixed(2)}) is outside the geofence`, hint: 'pick a location inside the geofence polygon of the robot profile' };
  }
  return null;
}
