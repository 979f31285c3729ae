/**
 * Item stacks as the window code handles them: a prismarine-item `Item`, or null for an empty slot.
 * Clicks copy stacks (withCount, cloneStack) instead of moving one object between a slot and the
 * cursor, because the click engine compares snapshots taken before and after a click and a shared
 * object would change in both. Also where items go when they leave a window: back into the player's
 * inventory, or onto the ground.
 *
 * @example
 * const Item = itemClass(serv);
 * const logs = new Item(serv.registry.itemsByName.oak_log.id, 16);
 * sameKind(logs, withCount(serv, logs, 3)); // true: same item, counts ignored
 * giveOrDrop(serv, player, logs);           // hotbar first, the rest dropped at the player's feet
 */
import { createRequire } from 'node:module';
import type { Item } from 'prismarine-item';
import type { Vec3 } from 'vec3';
import type { SquidPlayer, SquidServer } from './squid-server.js';

// CommonJS libraries whose typings declare an ES default export: load them the CommonJS way.
const require = createRequire(import.meta.url);
const itemLoader: typeof import('prismarine-item').default = require('prismarine-item');
const { Vec3: Vec3Class }: typeof import('vec3') = require('vec3');

/* eslint-disable @typescript-eslint/no-explicit-any */
/** A slot's content: null is an empty slot (never an item with count 0). */
export type Stack = Item | null;

const itemClasses = new WeakMap<object, typeof Item>();
/** The prismarine-item class for a server's registry. */
export function itemClass(serv: SquidServer): typeof Item {
  let cls = itemClasses.get(serv.registry);
  if (!cls) {
    cls = itemLoader(serv.registry);
    itemClasses.set(serv.registry, cls);
  }
  return cls;
}

/** True when both stacks are empty or hold the same item with the same count and NBT. */
export function sameStack(a: Stack, b: Stack): boolean {
  if (!a || !b) return !a && !b;
  return a.type === b.type && a.count === b.count && sameKind(a, b);
}
/** True when two items would stack together (type, metadata, NBT), ignoring counts. */
export function sameKind(a: Stack, b: Stack): boolean {
  if (!a || !b) return false;
  return a.type === b.type && (a.metadata ?? 0) === (b.metadata ?? 0) && JSON.stringify(a.nbt ?? null) === JSON.stringify(b.nbt ?? null);
}
/** A vec3 Vec3 (loaded the CommonJS way, like flying-squid does). */
export function vec3(x: number, y: number, z: number): Vec3 {
  return new Vec3Class(x, y, z);
}
/** A copy of `item` with `count` items (null when count is 0). */
export function withCount(serv: SquidServer, item: Item, count: number): Stack {
  if (count <= 0) return null;
  const Cls = itemClass(serv);
  const copy = new Cls(item.type, count, item.metadata, item.nbt ?? undefined);
  return copy;
}
/** A copy of a stack, or null. */
export function cloneStack(serv: SquidServer, item: Stack): Stack {
  return item ? withCount(serv, item, item.count) : null;
}
/** The wire (notch) form of a stack, for window_items and set_slot packets. */
export function toNotch(serv: SquidServer, item: Stack): object {
  return itemClass(serv).toNotch(item);
}

/** The integers start..end-1, for walking slot ranges the way the game numbers them. */
export function* range(start: number, end: number): Generator<number> {
  for (let i = start; i < end; i++) yield i;
}

/** Put `item` into the player's inventory (stacking first, hotbar first) and drop what does not fit. */
export function giveOrDrop(serv: SquidServer, player: SquidPlayer, item: Item): void {
  let left = item.count;
  const inv = player.inventory;
  const order = [...range(36, 45), ...range(9, 36)];
  for (const s of order) {
    const cur = inv.slots[s] as Stack;
    if (left > 0 && cur && sameKind(cur, item) && cur.count < cur.stackSize) {
      const n = Math.min(left, cur.stackSize - cur.count);
      cur.count += n;
      left -= n;
      inv.updateSlot(s, cur);
    }
  }
  for (const s of order) {
    if (left > 0 && !inv.slots[s]) {
      const n = Math.min(left, item.stackSize);
      inv.updateSlot(s, withCount(serv, item, n));
      left -= n;
    }
  }
  if (left > 0) dropItems(serv, player.world, player.position.offset(0, 1.3, 0), item, left);
}

/**
 * Spawn `count` item entities (flying-squid item entities hold one item each). `pickupMs` is how long
 * before they can be picked up: vanilla uses 2 s for items a player throws, 0.5 s for spilled ones.
 */
export function dropItems(serv: SquidServer, world: any, position: Vec3, item: Item, count = item.count, pickupMs = 500): void {
  const entity = serv.registry.entitiesByName.item;
  for (let i = 0; i < Math.min(count, 64 * 9); i++) {
    serv.spawnObject(entity.id, world, position, {
      velocity: new Vec3Class(Math.random() * 2 - 1, 2, Math.random() * 2 - 1),
      itemId: item.type,
      itemDamage: item.metadata ?? 0,
      pickupTime: pickupMs,
      deathTime: 60 * 5 * 1000,
    });
  }
}
