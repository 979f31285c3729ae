/**
 * The ROS messages the simulated robot publishes, built from its state: odometry, the AMCL pose,
 * joint states, object detections, and Nav2's navigation feedback. Pure functions of what they are
 * given, apart from the wall-clock stamp every header carries (as a real robot's would), so the
 * robot (server.ts) is its behaviour and this file is its wire format.
 *
 * @example
 * bridge.publishLazy('/odom', () => odomMsg(robot.pose, robot.velocity));
 * bridge.publishLazy('/detections', () => detectionsMsg(world.visibleAt('table')));
 */
import { quaternion } from '../geometry.js';
import type { Pose2D } from '../profile.js';
import type { Msg } from './bridge.js';

/** A base velocity as the wheels do it: forward m/s and turn rad/s. */
export interface BaseVelocity {
  linear: number;
  angular: number;
}

/** A covariance matrix of zeros (the simulation is exact). */
const ZERO36 = (): number[] => new Array<number>(36).fill(0);

/** builtin_interfaces/Time of now. */
export function stamp(): { sec: number; nanosec: number } {
  const ms = Date.now();
  return { sec: Math.floor(ms / 1000), nanosec: (ms % 1000) * 1e6 };
}

/** builtin_interfaces/Duration of `ms` milliseconds (negative counts as 0). */
export function duration(ms: number): { sec: number; nanosec: number } {
  const s = Math.max(0, ms) / 1000;
  return { sec: Math.floor(s), nanosec: Math.round((s % 1) * 1e9) };
}

/** geometry_msgs/Pose of a 2-D pose. */
export function poseMsg(pose: Pose2D): Msg {
  return { position: { x: pose.x, y: pose.y, z: 0 }, orientation: quaternion(pose.yaw) };
}

/** nav_msgs/Odometry in the odom frame. */
export function odomMsg(pose: Pose2D, base: BaseVelocity): Msg {
  return {
    header: { stamp: stamp(), frame_id: 'odom' },
    child_frame_id: 'base_link',
    pose: { pose: poseMsg(pose), covariance: ZERO36() },
    twist: { twist: { linear: { x: base.linear, y: 0, z: 0 }, angular: { x: 0, y: 0, z: base.angular } }, covariance: ZERO36() },
  };
}

/** geometry_msgs/PoseWithCovarianceStamped in the map frame, as AMCL publishes it. */
export function amclMsg(pose: Pose2D, frame: string): Msg {
  return { header: { stamp: stamp(), frame_id: frame }, pose: { pose: poseMsg(pose), covariance: ZERO36() } };
}

/** sensor_msgs/JointState: two fingers sharing the gripper opening, two wheels (radius 0.033 m). */
export function jointMsg(gripperPosition: number, base: BaseVelocity): Msg {
  const half = gripperPosition / 2;
  return {
    header: { stamp: stamp(), frame_id: '' },
    name: ['left_finger_joint', 'right_finger_joint', 'wheel_left_joint', 'wheel_right_joint'],
    position: [half, half, 0, 0],
    velocity: [0, 0, base.linear / 0.033, base.linear / 0.033],
    effort: [0, 0, 0, 0],
  };
}

/** vision_msgs/Detection3DArray of the objects in view, set out in a row in front of the robot. */
export function detectionsMsg(objects: readonly string[]): Msg {
  const header = { stamp: stamp(), frame_id: 'base_link' };
  return {
    header,
    detections: objects.map((o, k) => ({
      header,
      id: o,
      results: [{ hypothesis: { class_id: o, score: 0.95 }, pose: { pose: { position: { x: 0.6, y: 0.15 * k - 0.3, z: 0.8 }, orientation: quaternion(0) }, covariance: ZERO36() } }],
      bbox: { center: { position: { x: 0.6, y: 0.15 * k - 0.3, z: 0.8 }, orientation: quaternion(0) }, size: { x: 0.07, y: 0.07, z: 0.12 } },
    })),
  };
}

/** nav2_msgs/action/NavigateToPose feedback: where the robot is and how far and long it has to go. */
export function navFeedbackMsg(pose: Pose2D, frame: string, remaining: number, elapsedMs: number, navSpeed: number): Msg {
  return {
    current_pose: { header: { stamp: stamp(), frame_id: frame }, pose: poseMsg(pose) },
    navigation_time: duration(elapsedMs),
    estimated_time_remaining: duration((remaining / navSpeed) * 1000),
    number_of_recoveries: 0,
    distance_remaining: remaining,
  };
}
