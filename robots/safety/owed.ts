/**
 * What the robot is owed: a stop, an e-stop or goal cancels that should have reached it while the
 * bridge was down. The safety layer records them here when delivery fails and sends them first
 * thing on the next connection; a goal is owed at most once however many paths notice it.
 *
 * @example
 * const owed = nothingOwed();
 * oweGoal(owed, { id: 'g1', action: '/navigate_to_pose', type: 'nav2_msgs/action/NavigateToPose' });
 * isOwed(owed); // true until the next connection pays it
 */

/** A goal that must be cancelled on the robot. `type` is needed on ROS 1 to find actionlib's topics. */
export interface OwedGoal {
  id: string;
  action: string;
  type: string;
}

/** What the robot is owed because the bridge was down when it should have been told. */
export interface Owed {
  stop: boolean;
  estop: boolean;
  goals: OwedGoal[];
}

/** A clean slate. */
export function nothingOwed(): Owed {
  return { stop: false, estop: false, goals: [] };
}

/** True when anything must be delivered on the next connection. */
export function isOwed(owed: Owed): boolean {
  return owed.stop || owed.estop || owed.goals.length > 0;
}

/** Owe a cancel for `goal`, once per goal id. */
export function oweGoal(owed: Owed, goal: OwedGoal): void {
  if (!owed.goals.some((o) => o.id === goal.id)) owed.goals.push(goal);
}
