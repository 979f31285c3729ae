/**
 * ROS interface type names as each ROS generation spells them. Profiles always write the ROS 2
 * form (`std_msgs/msg/Bool`, `std_srvs/srv/Trigger`, `move_base_msgs/action/MoveBase`); on ROS 1
 * rosbridge_suite only loads `pkg/Type` and silently refuses anything else (it logs the error in
 * its own log; the client hears nothing), so the spelling must be right before a byte is sent.
 *
 * @example
 * wireType('std_msgs/msg/Bool', 1);                 // 'std_msgs/Bool'
 * wireType('std_msgs/msg/Bool', 2);                 // 'std_msgs/msg/Bool'
 * actionlibTopics('/move_base', 'move_base_msgs/action/MoveBase').goal;
 * // { topic: '/move_base/goal', type: 'move_base_msgs/MoveBaseActionGoal' }
 */

export type RosVersion = 1 | 2;

const SPLIT = /^([A-Za-z0-9_]+)\/(?:(msg|srv|action)\/)?([A-Za-z0-9_]+)$/;

/** The type string the bridge of `ros` understands for a profile's (ROS 2 spelled) type. */
export function wireType(type: string, ros: RosVersion): string {
  const m = SPLIT.exec(type);
  if (!m) return type;
  if (ros === 1) return `${m[1]}/${m[3]}`;
  return m[2] ? type : `${m[1]}/msg/${m[3]}`;
}

/** Do two spellings name the same type (`std_msgs/Bool` and `std_msgs/msg/Bool` do)? */
export function sameType(a: string, b: string): boolean {
  const x = SPLIT.exec(a);
  const y = SPLIT.exec(b);
  if (!x || !y) return a === b;
  return x[1] === y[1] && x[3] === y[3];
}

/** ROS 1 actionlib: the five topics of an action server and their message types. */
export interface ActionlibTopics {
  goal: { topic: string; type: string };
  cancel: { topic: string; type: string };
  status: { topic: string; type: string };
  feedback: { topic: string; type: string };
  result: { topic: string; type: string };
}

/** The actionlib topics of action `name` of type `pkg/action/Name` (e.g. move_base's). */
export function actionlibTopics(name: string, actionType: string): ActionlibTopics {
  const m = SPLIT.exec(actionType);
  const pkg = m?.[1] ?? actionType;
  const base = m?.[3] ?? actionType;
  const ns = name.replace(/\/+$/, '');
  return {
    goal: { topic: `${ns}/goal`, type: `${pkg}/${base}ActionGoal` },
    cancel: { topic: `${ns}/cancel`, type: 'actionlib_msgs/GoalID' },
    status: { topic: `${ns}/status`, type: 'actionlib_msgs/GoalStatusArray' },
    feedback: { topic: `${ns}/feedback`, type: `${pkg}/${base}ActionFeedback` },
    result: { topic: `${ns}/result`, type: `${pkg}/${base}ActionResult` },
  };
}

/**
 * actionlib_msgs/GoalStatus codes (ROS 1) mapped to action_msgs/msg/GoalStatus (ROS 2), so the
 * rest of the code reads one set: PREEMPTED and RECALLED are CANCELED, REJECTED and LOST ABORTED.
 */
export function ros1StatusToRos2(status: number): number {
  switch (status) {
    case 0: // PENDING
      return 1; // ACCEPTED
    case 1: // ACTIVE
      return 2; // EXECUTING
    case 2: // PREEMPTED
    case 8: // RECALLED
      return 5; // CANCELED
    case 3: // SUCCEEDED
      return 4;
    case 6: // PREEMPTING
    case 7: // RECALLING
      return 3; // CANCELING
    default: // 4 ABORTED, 5 REJECTED, 9 LOST
      return 6;
  }
}

/** rosapi's service types, which also differ by generation. */
export function rosapiType(name: 'Topics' | 'TopicType' | 'Services', ros: RosVersion): string {
  return ros === 1 ? `rosapi/${name}` : `rosapi_msgs/srv/${name}`;
}
