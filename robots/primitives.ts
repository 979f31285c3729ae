/**
 * A robot's primitives from its profile: the kitchen's household verbs (envs/kitchen/vocabulary.ts)
 * it has ROS interfaces for, over its named places, detectable objects and drawers, described by the
 * interfaces they use, plus the gripper.
 *
 * @example
 *   buildPrimitives(await loadProfile(builtinProfilePath('sim-kitchen'))).map((p) => p.name);
 *   // ['go to', 'find', 'pick up', 'put down', 'place', 'bring to user', 'open drawer', 'close drawer', 'gripper', 'done']
 */
import type { Primitive } from '../envs/environment.js';
import { householdPrimitives, type HouseholdVerbName } from '../envs/kitchen/vocabulary.js';
import type { RobotProfile } from './profile.js';

/**
 * The primitives a profile supports: the kitchen's household verbs (envs/kitchen/vocabulary.ts) the
 * robot has interfaces for, over its locations, objects and drawers, plus 'gripper'.
 */
export function buildPrimitives(profile: RobotProfile): Primitive[] {
  const locs = Object.keys(profile.locations);
  const objects = profile.objects ?? [];
  const drawers = profile.drawers ?? [];
  const surfaces = locs.filter((l) => profile.locations[l]!.surface !== false);
  const i = profile.interfaces;
  const domains = {
    objects,
    locations: locs,
    surfaces,
    drawers,
    placePhrases: Object.fromEntries(surfaces.map((l) => [l, `${profile.locations[l]!.prep ?? 'on'} the ${l}`])),
    objectDescription: 'an object class the robot can detect',
  };
  // What this robot can do, and how it says it does it (its ROS interfaces).
  const verbs: HouseholdVerbName[] = ['go to'];
  const descriptions: Partial<Record<HouseholdVerbName, string>> = {
    'go to': `Navigate (${i.navigate ? i.navigate.action : `closed-loop twist on ${i.cmdVel.topic}`}) to a named location.`,
    find: 'Drive to where the object was last seen, or search the surfaces until it is detected.',
    'pick up': i.pick ? `Grasp a visible object here (${i.pick.action}); the gripper must be empty.` : undefined,
    'put down': i.place ? `Put the held object down where the robot is (${i.place.action}).` : undefined,
    place: 'Carry the held object to a surface and put it there.',
    'open drawer': 'Open the drawer the robot is at; needs a free hand.',
    'close drawer': 'Close the drawer the robot is at; needs a free hand.',
  };
  if (objects.length > 0) {
    verbs.push('find');
    if (i.pick) verbs.push('pick up');
    if (i.place) verbs.push('put down', 'place');
    if (profile.userLocation && i.place) verbs.push('bring to user');
  }
  if (drawers.length > 0 && i.openDrawer) verbs.push('open drawer');
  if (drawers.length > 0 && i.closeDrawer) verbs.push('close drawer');
  const list = householdPrimitives(domains, verbs, descriptions);
  if (i.gripper) {
    list.push({
      name: 'gripper',
      description: `Open or close the gripper (${i.gripper.action}).`,
      params: { type: 'object', 'x-say': '{command} the gripper', required: ['command'], additionalProperties: false, properties: { command: { type: 'string', enum: ['open', 'close'] } } },
    });
  }
  list.push(...householdPrimitives(domains, ['done']));
  return list;
}
