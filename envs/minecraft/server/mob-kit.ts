/**
 * What the mob plugins (plugins/mobs.ts, plugins/hostile.ts) share: finding dry footing, entity
 * loot from minecraft-data, dropping items, hurting a player, and the byte angles of entity
 * packets. flying-squid 1.12 has none of these for mobs.
 */
import { Vec3 } from 'vec3';
import type { Random } from '../../../core/random.js';
import type { SquidEntity, SquidServer } from './plugin.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type BlockLike = { boundingBox?: string; name?: string } | null;

const solid = (b: BlockLike) => !!b && b.boundingBox === 'block' && !/leaves|_log$/.test(b.name ?? '');
const liquid = (b: BlockLike) => !!b && (b.name === 'water' || b.name === 'lava');

/**
 * Feet y for a mob at column x,z searching from `fromY + up` down to `fromY - down`, or null when
 * there is no dry footing with two free blocks above it in that range (water counts as no footing).
 */
export async function groundY(world: any, x: number, z: number, fromY: number, up: number, down: number): Promise<number | null> {
  for (let y = Math.floor(fromY) + up; y >= Math.floor(fromY) - down; y--) {
    const below = await world.getBlock(new Vec3(x, y - 1, z));
    if (!solid(below)) {
      if (liquid(below)) return null;
      continue;
    }
    const feet = await world.getBlock(new Vec3(x, y, z));
    const head = await world.getBlock(new Vec3(x, y + 1, z));
    if (feet?.boundingBox !== 'empty' || liquid(feet) || head?.boundingBox !== 'empty') return null;
    return y;
  }
  return null;
}

/** Items an entity of `kind` drops on death: minecraft-data's entityLoot (chance, count range) plus `extra`. */
export function entityLoot(registry: any, kind: string, rng: Random, extra: string[] = []): Array<{ item: string; count: number }> {
  const out: Array<{ item: string; count: number }> = [];
  for (const d of (registry.entityLoot?.[kind]?.drops ?? []) as Array<{ item: string; dropChance: number; stackSizeRange: [number, number?] }>) {
    if (d.dropChance < 1 && rng.next() >= d.dropChance) continue;
    const [min, max = min] = d.stackSizeRange;
    out.push({ item: d.item, count: rng.int(min, max) });
  }
  for (const item of extra) out.push({ item, count: 1 });
  return out.filter((d) => registry.itemsByName[d.item] && d.count > 0);
}

/** Drop items as pick-up-able item entities, one entity per item (flying-squid picks up one per entity). */
export function dropItems(serv: SquidServer, world: any, at: Vec3, drops: Array<{ item: string; count: number }>, rng: Random): void {
  const { registry } = serv;
  const itemEntity = registry.entitiesByName.item.id;
  for (const { item, count } of drops) {
    for (let i = 0; i < count; i++) {
      serv.spawnObject(itemEntity, world, at.offset(0, 0.5, 0), {
        velocity: new Vec3(rng.next() * 2 - 1, 3, rng.next() * 2 - 1),
        itemId: registry.itemsByName[item].id,
        itemCount: 1,
        pickupTime: 500,
        deathTime: 5 * 60 * 1000,
      });
    }
  }
}

/**
 * Take `damage` health points from a player, with the red hurt flash for it and everyone around
 * (no knockback). flying-squid's own health plugin handles reaching 0 (death screen, respawn).
 */
export function hurtPlayer(player: any, damage: number): void {
  const health = Math.max(0, player.health - damage);
  player.updateHealth(health);
  player._client.write('entity_status', { entityId: player.id, entityStatus: 2 });
  player._writeOthersNearby('entity_status', { entityId: player.id, entityStatus: health > 0 ? 2 : 3 });
}

/** Remove a dead mob's body after the death animation, as vanilla does (flying-squid never does). */
export function removeBodyLater(mob: SquidEntity, ms = 1000): void {
  const t = setTimeout(() => mob.destroy(), ms);
  t.unref();
}

/** Degrees to the signed byte angle of entity packets. */
export function toByteAngle(deg: number): number {
  let b = Math.floor(((deg % 360) * 256) / 360);
  if (b < -128) b += 256;
  else if (b > 127) b -= 256;
  return b;
}

/** Yaw (byte angle) of a mob facing along dx, dz. */
export function yawToward(dx: number, dz: number): number {
  return toByteAngle((Math.atan2(-dx, dz) * 180) / Math.PI);
}

/** The world seed a plugin should derive its randomness from. */
export function worldSeed(settings: Record<string, any>): number {
  return Number(settings.generation?.options?.skillforgeSeed ?? settings.generation?.options?.seed ?? 0);
}
