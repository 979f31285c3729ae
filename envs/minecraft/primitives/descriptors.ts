/**
 * The Minecraft environment's primitives, in the order they are listed to planners and documented:
 * every table of the environment derives from this list (see descriptor.ts). To add a primitive,
 * export its descriptor from its own file and add it here; nothing else changes. (An explicit list
 * rather than a folder scan: the order is part of what planners and prompts see, and a scan would
 * need a top-level await and file-system reads in a bundled build.)
 *
 * @example
 * for (const d of MINECRAFT_PRIMITIVE_DESCRIPTORS) console.log(d.name, d.description);
 */
import { SkillforgeError } from '../../../core/errors.js';
import type { PrimitiveDescriptor } from './descriptor.js';
import { mineBlockDescriptor } from './mineBlock.js';
import { craftItemDescriptor } from './craftItem.js';
import { smeltItemDescriptor } from './smeltItem.js';
import { placeItemDescriptor } from './placeItem.js';
import { killMobDescriptor } from './killMob.js';
import { exploreUntilDescriptor } from './exploreUntil.js';
import { checkItemInsideChestDescriptor, depositItemIntoChestDescriptor, getItemFromChestDescriptor } from './useChest.js';
import { equipItemDescriptor, moveToDescriptor } from './movement.js';

// Checked at load: a name listed twice fails here, with its name, not later in a planner.
export const MINECRAFT_PRIMITIVE_DESCRIPTORS: readonly PrimitiveDescriptor[] = checkDescriptors(Object.freeze([
  mineBlockDescriptor,
  craftItemDescriptor,
  smeltItemDescriptor,
  placeItemDescriptor,
  killMobDescriptor,
  exploreUntilDescriptor,
  getItemFromChestDescriptor,
  depositItemIntoChestDescriptor,
  checkItemInsideChestDescriptor,
  moveToDescriptor,
  equipItemDescriptor,
]));

/**
 * Check a list before an environment derives its tables from it: names are unique identifiers, and
 * no two primitives claim the same sandbox call. Returns the list.
 */
export function checkDescriptors(list: readonly PrimitiveDescriptor[]): readonly PrimitiveDescriptor[] {
  const names = new Set<string>();
  const calls = new Map<string, string>();
  for (const d of list) {
    if (!/^[A-Za-z_$][\w$]*$/.test(d.name)) throw new SkillforgeError('E_INVALID', `primitive name ${JSON.stringify(d.name)} is not a JavaScript identifier`, { hint: 'skill code calls primitives by name: use camelCase, e.g. mineBlock' });
    if (names.has(d.name)) throw new SkillforgeError('E_INVALID', `primitive ${d.name} is listed twice`, { hint: 'each primitive appears once in the descriptor list' });
    names.add(d.name);
    for (const call of Object.keys(d.sandbox.calls)) {
      const other = calls.get(call);
      if (other) throw new SkillforgeError('E_INVALID', `primitives ${other} and ${d.name} both define the sandbox call ${call}`, { hint: 'give the call a name of its own' });
      calls.set(call, d.name);
    }
  }
  return list;
}
