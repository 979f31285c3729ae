/**
 * What the safety layer relies on existing on the robot: every topic and service of the profile with
 * the exact type we speak (and on ROS 1 the actionlib status and result topics of each action). The
 * layer verifies this list through rosapi at connect and after every reconnect, and refuses motion
 * while anything is missing, above all the e-stop (fail closed).
 *
 * @example
 * const problems = await verifyInterfaces(call, expectedInterfaces(profile, 2), 2); // [] when all exist
 */
import type { ActionInterface, RobotProfile } from '../profile.js';
import { actionlibTopics, wireType, type RosVersion } from '../rosbridge/ros-types.js';
import type { Expected } from '../verify.js';

/** The profile's mapped actions (navigate, pick, place, gripper, drawers) that are present. */
export function actionInterfaces(profile: RobotProfile): ActionInterface[] {
  const i = profile.interfaces;
  return [i.navigate, i.pick, i.place, i.gripper, i.openDrawer, i.closeDrawer].filter((a): a is ActionInterface => a !== undefined);
}

/** Every topic and service the profile relies on, with the exact type we speak. */
export function expectedInterfaces(profile: RobotProfile, ros: RosVersion): Expected[] {
  const p = profile;
  const t = (type: string) => wireType(type, ros);
  const out: Expected[] = [
    { kind: 'topic', name: p.interfaces.estop.topic, type: t(p.interfaces.estop.type), role: 'e-stop (subscribed and advertised)' },
    { kind: 'topic', name: p.interfaces.cmdVel.topic, type: t(p.interfaces.cmdVel.type), role: 'velocity command (advertised)' },
  ];
  for (const [key, o] of Object.entries(p.observations)) if (o) out.push({ kind: 'topic', name: o.topic, type: t(o.type), role: `observation ${key}` });
  if (ros === 1) {
    for (const a of actionInterfaces(p)) {
      const topics = actionlibTopics(a.action, a.type);
      out.push({ kind: 'topic', name: topics.status.topic, type: topics.status.type, role: `action ${a.action} (actionlib status)` });
      out.push({ kind: 'topic', name: topics.result.topic, type: topics.result.type, role: `action ${a.action} (actionlib result)` });
    }
  }
  if (p.interfaces.state) out.push({ kind: 'service', name: p.interfaces.state.service, role: 'state service' });
  return out;
}
