/**
 * SayCan's Can on a ROS robot: which calls are feasible now, from the robot's belief in an
 * observation (where it is, what it holds and sees, where it last saw each object, which drawers it
 * opened, the e-stop) and the profile (places inside the geofence, drawers, the user). True, false,
 * or null when the belief cannot tell (an object never seen).
 *
 * @example
 *   beliefPreconditions(profile, validators, await env.observe(), [{ skill: 'pick up', args: { object: 'apple' } }]);
 */
import type { Observation, SkillCall } from '../core/types.js';
import type { ValidateFunction } from 'ajv';
import { inPolygon } from './geometry.js';
import type { RobotProfile } from './profile.js';

/** Feasibility from the robot's belief: true, false, or null when the belief cannot tell. */
export function beliefPreconditions(
  profile: RobotProfile,
  validators: ReadonlyMap<string, ValidateFunction>,
  observation: Observation,
  calls: readonly SkillCall[],
): (boolean | null)[] {
  const j = observation.json;
  if (j.kind !== 'ros2') return calls.map(() => null);
  const at = (j.at as string | null) ?? null;
  const holding = (j.holding as string | null) ?? null;
  const visible = new Set((j.visible as string[] | undefined) ?? []);
  const places = (j.places as Record<string, string> | undefined) ?? {};
  const drawers = (j.drawers as Record<string, boolean> | undefined) ?? {};
  const isDrawer = (l: string) => (profile.drawers ?? []).includes(l);
  const user = profile.userLocation;
  const reachable = (l: string) => {
    const p = profile.locations[l];
    return !!p && inPolygon(p.x, p.y, profile.safety.geofence.polygon);
  };
  return calls.map((c) => {
    const v = validators.get(c.skill);
    if (!v) return null;
    if (!v(c.args ?? {})) return false;
    if (j.estop === true) return c.skill === 'done';
    const a = c.args as Record<string, string>;
    switch (c.skill) {
      case 'go to':
        return a.location !== at && reachable(a.location!);
      case 'find': {
        const p = places[a.object!];
        if (p === undefined) return null;
        if (p === 'robot' || p === user || p === 'trash can') return false;
        if (isDrawer(p) && !drawers[p]) return false;
        return reachable(p);
      }
      case 'pick up':
        if (holding !== null || at === null) return false;
        return visible.has(a.object!);
      case 'put down':
        return holding === a.object && at !== null && !(isDrawer(at) && !drawers[at]);
      case 'place': {
        const l = profile.locations[a.location!];
        return holding === a.object && !!l && l.surface !== false && !(isDrawer(a.location!) && !drawers[a.location!]) && reachable(a.location!);
      }
      case 'bring to user':
        return holding === a.object && at !== user;
      case 'open drawer':
      case 'close drawer':
        return at === a.drawer && holding === null && drawers[a.drawer!] !== (c.skill === 'open drawer');
      case 'gripper':
        return true;
      case 'done':
        return true;
      default:
        return null;
    }
  });
}
