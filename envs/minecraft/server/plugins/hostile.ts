/**
 * Hostile mobs (opt-in) that appear around survival players at night, with vanilla health, damage
 * for the server's difficulty and minecraft-data's loot, and leave at dawn:
 * - zombie, spider: chase the nearest player within 16 blocks and hit it in melee once a second;
 * - skeleton: keeps 4-12 blocks away and shoots when it has a clear line of sight (every 2 s; the
 *   arrow hits at once, there is no projectile entity);
 * - creeper: walks up, hisses for 1.5 s once within 3 blocks and explodes (vanilla power 3: damage
 *   falls off to nothing at 6 blocks, blocks within 2.5 blocks are destroyed without drops) unless
 *   the player got more than 7 blocks away; it dies in the blast;
 * - enderman: neutral: wanders until a player hits it, then chases that player; when hurt it
 *   teleports 8-16 blocks away half of the time. Drops ender pearls.
 * Off unless the settings enable it, so the default world stays safe for agents that are learning.
 *
 * Settings (flying-squid settings object):
 *   hostileMobs: false (default) | { maxPerPlayer?: 2, minDistance?: 16, maxDistance?: 28, kinds?: HostileMob[] }
 * `kinds` (default all five) are picked with vanilla's spawn weights. `serv.spawnHostile(kind, position)`
 * spawns one on demand (tests, commands); `serv.hostileMobs` lists the living ones.
 */
import { Vec3 } from 'vec3';
import { Random } from '../../../../core/random.js';
import { dropItems, entityLoot, groundY, hurtPlayer, removeBodyLater, worldSeed, yawToward } from '../mob-kit.js';
import { vec3 } from './windows.js';
import type { SquidEntity, SquidPlayer, SquidPlugin, SquidServer, SquidSettings } from '../plugin.js';

export const HOSTILE_MOBS = ['zombie', 'spider', 'skeleton', 'creeper', 'enderman'] as const;
export type HostileMob = (typeof HOSTILE_MOBS)[number];

/**
 * Vanilla max health, attack damage by difficulty (easy, normal, hard; a skeleton's arrow, a
 * creeper's blast at point blank), speed in blocks per step, and spawn weight.
 */
export const HOSTILE_STATS: Record<HostileMob, { health: number; damage: [number, number, number]; speed: number; weight: number }> = {
  zombie: { health: 20, damage: [2, 3, 4.5], speed: 0.23, weight: 100 },
  spider: { health: 16, damage: [2, 2, 3], speed: 0.3, weight: 100 },
  skeleton: { health: 20, damage: [2, 3, 4], speed: 0.25, weight: 100 },
  creeper: { health: 20, damage: explosionDamage(0), speed: 0.25, weight: 100 },
  enderman: { health: 40, damage: [4.5, 7, 10.5], speed: 0.3, weight: 10 },
};

/** The hostile kinds named in a list, or a clear error naming the unknown one. */
export function parseHostileKinds(kinds: readonly string[]): HostileMob[] {
  const out: HostileMob[] = [];
  for (const k of kinds) {
    const name = k.trim();
    if (!name) continue;
    if (!(HOSTILE_MOBS as readonly string[]).includes(name)) throw new Error(`unknown hostile mob ${JSON.stringify(name)} (known: ${HOSTILE_MOBS.join(', ')})`);
    if (!out.includes(name as HostileMob)) out.push(name as HostileMob);
  }
  if (out.length === 0) throw new Error(`no hostile mob named (known: ${HOSTILE_MOBS.join(', ')})`);
  return out;
}

/**
 * Vanilla explosion damage (power 3, a creeper) to a player `distance` blocks from the centre with
 * nothing in between, for easy, normal and hard: impact = 1 - d/6, (impact² + impact) / 2 * 7 * 6 + 1,
 * halved plus one on easy, 1.5x on hard.
 */
export function explosionDamage(distance: number): [number, number, number] {
  const impact = Math.max(0, 1 - distance / 6);
  if (impact === 0) return [0, 0, 0];
  const normal = Math.floor(((impact * impact + impact) / 2) * 7 * 6 + 1);
  return [Math.min(normal / 2 + 1, normal), normal, normal * 1.5];
}

const SKELETON_RANGE = 15;
const SKELETON_COOLDOWN_MS = 2000;
const CREEPER_FUSE_MS = 1500;
const CREEPER_IGNITE = 3;
const CREEPER_DEFUSE = 7;
const BLAST_RADIUS = 2.5;
const UNBREAKABLE = new Set(['bedrock', 'obsidian', 'water', 'lava', 'air', 'cave_air', 'barrier', 'end_portal_frame']);

const STEP_MS = 200;
const SIGHT = 16;
const REACH = 1.6;
const COOLDOWN_MS = 1000;

/** Night by the server clock (ticks of the 24000-tick day), when hostile mobs spawn and live. */
export function isNight(time: number): boolean {
  const t = ((time % 24000) + 24000) % 24000;
  return t >= 13000 && t < 23000;
}

interface HostileState {
  kind: HostileMob;
  dead: boolean;
  busy: boolean;
  lastHit: number;
  wander: Vec3 | null;
  /** When a creeper's fuse was lit (0: not lit). */
  fuse: number;
  /** The player an enderman was hit by (it ignores everyone else). */
  provokedBy: SquidPlayer | null;
}

const plugin: SquidPlugin = {
  async server(serv: SquidServer, settings: SquidSettings) {
    serv.hostileMobs = [] as SquidEntity[];
    serv.spawnHostile = () => {
      throw new Error('hostile mobs are off: start the world with hostileMobs enabled');
    };
    if (!settings.hostileMobs) return;
    const cfg = { maxPerPlayer: 2, minDistance: 16, maxDistance: 28, ...(typeof settings.hostileMobs === 'object' ? settings.hostileMobs : {}) };
    cfg.kinds = parseHostileKinds(cfg.kinds ?? HOSTILE_MOBS) as HostileMob[];
    const totalWeight = (cfg.kinds as HostileMob[]).reduce((n: number, k: HostileMob) => n + HOSTILE_STATS[k].weight, 0);
    const pickKind = (): HostileMob => {
      let r = rng.next() * totalWeight;
      return (cfg.kinds as HostileMob[]).find((k) => (r -= HOSTILE_STATS[k].weight) < 0) ?? (cfg.kinds as HostileMob[])[0]!;
    };
    const { registry } = serv;
    const rng = new Random((worldSeed(settings) ^ 0x2077) >>> 0);
    const states = new Map<SquidEntity, HostileState>();
    await serv.waitForReady(15000);
    const world = serv.overworld;
    const survival = (p: SquidPlayer) => (p.gameMode === 0 || p.gameMode === 2) && p.health > 0 && !p.disconnected && p.world === world;

    function spawnHostile(kind: HostileMob, position: Vec3): SquidEntity {
      const stats = HOSTILE_STATS[kind];
      const mob = serv.spawnMob(registry.entitiesByName[kind].id, world, position.clone(), { yaw: rng.int(-128, 127) });
      mob.size = null; // moved by this plugin, not flying-squid's entity physics
      mob.health = stats.health;
      mob.maxHealth = stats.health;
      const state: HostileState = { kind, dead: false, busy: false, lastHit: 0, wander: null, fuse: 0, provokedBy: null };
      states.set(mob, state);
      serv.hostileMobs.push(mob);
      const takeDamage = mob.takeDamage;
      mob.takeDamage = (opts: Record<string, unknown> = {}) => {
        if (state.dead) return;
        takeDamage.call(mob, { ...opts, sound: `entity.${kind}.hurt` });
        if (mob.health <= 0) {
          die(mob, state, true);
          return;
        }
        if (kind === 'enderman') {
          const attacker = (opts.attacker ?? null) as SquidPlayer | null;
          state.provokedBy = attacker && (serv.players as SquidPlayer[]).includes(attacker) ? attacker : nearestPlayer(mob.position, SIGHT);
          if (rng.next() < 0.5) void teleportAway(mob).catch(() => {});
        }
      };
      return mob;
    }
    serv.spawnHostile = (kind: HostileMob, position: { x: number; y: number; z: number }) => {
      if (!HOSTILE_STATS[kind]) throw new Error(`unknown hostile mob ${String(kind)} (known: ${HOSTILE_MOBS.join(', ')})`);
      return spawnHostile(kind, new Vec3(position.x, position.y, position.z));
    };

    /** Damage without knockback (a simplification: vanilla mobs also push the player back). */
    const hurt = (target: SquidPlayer, damage: number) => hurtPlayer(target, damage);

    function nearestPlayer(pos: Vec3, within: number): SquidPlayer | null {
      let target: SquidPlayer | null = null;
      let best = within;
      for (const p of serv.players as SquidPlayer[]) {
        if (!survival(p)) continue;
        const d = p.position.distanceTo(pos);
        if (d < best) {
          best = d;
          target = p;
        }
      }
      return target;
    }

    const difficultyIndex = () => Math.max(0, Math.min(2, (serv.difficulty ?? 1) - 1));

    /** Whether nothing solid lies on the straight line between two eye positions. */
    function clearSight(from: Vec3, to: Vec3): boolean {
      const d = to.minus(from);
      const steps = Math.ceil(d.norm() * 2);
      for (let i = 1; i < steps; i++) {
        const p = from.plus(d.scaled(i / steps)).floored();
        const id = world.sync.getBlockStateId(p) as number | undefined;
        if (id !== undefined && registry.blocksByStateId[id]?.boundingBox === 'block') return false;
      }
      return true;
    }

    /** An enderman's escape: a random dry spot 8-16 blocks away. */
    async function teleportAway(mob: SquidEntity): Promise<void> {
      for (let tries = 0; tries < 8; tries++) {
        const a = rng.next() * 2 * Math.PI;
        const d = 8 + rng.next() * 8;
        const x = Math.floor(mob.position.x + Math.cos(a) * d);
        const z = Math.floor(mob.position.z + Math.sin(a) * d);
        const y = await groundY(world, x, z, mob.position.y, 6, 8);
        if (y === null) continue;
        await mob.sendPosition(new Vec3(x + 0.5, y, z + 0.5), true);
        return;
      }
    }

    /** A creeper's blast: damage by distance to every survival player, blocks around it gone. */
    async function explode(mob: SquidEntity, state: HostileState): Promise<void> {
      const centre: Vec3 = mob.position.clone();
      die(mob, state, false);
      mob._writeOthers('entity_status', { entityId: mob.id, entityStatus: 3 });
      serv.playSound?.('entity.generic.explode', world, centre, {});
      for (const p of serv.players as SquidPlayer[]) {
        if (!survival(p)) continue;
        const damage = explosionDamage(p.position.distanceTo(centre))[difficultyIndex()]!;
        if (damage > 0 && (serv.difficulty ?? 1) > 0) hurt(p, damage);
      }
      const r = Math.ceil(BLAST_RADIUS);
      for (let dx = -r; dx <= r; dx++) {
        for (let dy = -r; dy <= r; dy++) {
          for (let dz = -r; dz <= r; dz++) {
            if (dx * dx + dy * dy + dz * dz > BLAST_RADIUS * BLAST_RADIUS) continue;
            const at = vec3(Math.floor(centre.x) + dx, Math.floor(centre.y) + dy, Math.floor(centre.z) + dz);
            if (at.y <= 0) continue;
            const name = registry.blocksByStateId[(await world.getBlockStateId(at)) as number]?.name;
            if (!name || UNBREAKABLE.has(name)) continue;
            await serv.setBlock(world, at, registry.blocksByName.air.defaultState);
          }
        }
      }
    }

    function die(mob: SquidEntity, state: HostileState, loot: boolean): void {
      state.dead = true;
      states.delete(mob);
      serv.hostileMobs.splice(serv.hostileMobs.indexOf(mob), 1);
      if (mob.health > 0) {
        // Burnt by daylight: the death animation without a killer.
        mob.health = 0;
        mob._writeOthers('entity_status', { entityId: mob.id, entityStatus: 3 });
        delete serv.entities[mob.id];
      }
      if (loot) dropItems(serv, world, mob.position, entityLoot(registry, state.kind, rng), rng);
      removeBodyLater(mob);
    }

    async function step(mob: SquidEntity, state: HostileState): Promise<void> {
      const pos: Vec3 = mob.position;
      let target: SquidPlayer | null;
      if (state.kind === 'enderman') {
        const p = state.provokedBy;
        target = p && survival(p) && p.position.distanceTo(pos) < 2 * SIGHT ? p : null;
        if (!target) state.provokedBy = null;
      } else {
        target = nearestPlayer(pos, SIGHT);
      }
      const stats = HOSTILE_STATS[state.kind];
      let goal: Vec3 | null = null;
      const now = Date.now();
      if (target) {
        const flat = Math.hypot(target.position.x - pos.x, target.position.z - pos.z);
        mob.yaw = yawToward(target.position.x - pos.x, target.position.z - pos.z);
        if (state.kind === 'creeper') {
          const d = target.position.distanceTo(pos);
          if (state.fuse && d > CREEPER_DEFUSE) state.fuse = 0;
          else if (!state.fuse && d <= CREEPER_IGNITE) {
            state.fuse = now;
            serv.playSound?.('entity.creeper.primed', world, pos, {});
          }
          if (state.fuse && now - state.fuse >= CREEPER_FUSE_MS) {
            await explode(mob, state);
            return;
          }
          if (state.fuse) return; // it stands still while hissing
        } else if (state.kind === 'skeleton') {
          const eye = pos.offset(0, 1.6, 0);
          const sight = flat <= SKELETON_RANGE && clearSight(eye, target.position.offset(0, 1.6, 0));
          if (sight && now - state.lastHit >= SKELETON_COOLDOWN_MS) {
            state.lastHit = now;
            if ((serv.difficulty ?? 1) > 0) hurt(target, stats.damage[difficultyIndex()]!);
          }
          // Keeps its distance: closes in only when out of range or blocked, backs off when close.
          if (sight && flat >= 4 && flat <= 12) return;
          goal = flat < 4 ? pos.plus(pos.minus(target.position).scaled(2)) : target.position;
        } else if (flat <= REACH && Math.abs(target.position.y - pos.y) <= 1.5) {
          if (now - state.lastHit >= COOLDOWN_MS) {
            state.lastHit = now;
            if ((serv.difficulty ?? 1) > 0) hurt(target, stats.damage[difficultyIndex()]!);
          }
          return;
        }
        goal ??= target.position;
      } else {
        if (!state.wander || rng.next() < 0.05) {
          const a = rng.next() * 2 * Math.PI;
          state.wander = rng.next() < 0.5 ? null : pos.offset(Math.cos(a) * 5, 0, Math.sin(a) * 5);
        }
        goal = state.wander;
      }
      if (!goal) return;
      const dx = goal.x - pos.x;
      const dz = goal.z - pos.z;
      const dist = Math.hypot(dx, dz);
      if (dist < 0.3) return;
      const speed = Math.min(dist, target ? stats.speed : stats.speed / 2);
      const nx = pos.x + (dx / dist) * speed;
      const nz = pos.z + (dz / dist) * speed;
      const y = await groundY(world, Math.floor(nx), Math.floor(nz), pos.y, 1, 3);
      if (y === null) {
        state.wander = null;
        return;
      }
      mob.yaw = yawToward(dx, dz);
      await mob.sendPosition(new Vec3(nx, y, nz), true);
    }

    async function naturalSpawns(): Promise<void> {
      if (!isNight(serv.time ?? 0)) {
        for (const [mob, state] of [...states]) if (!state.dead) die(mob, state, false);
        return;
      }
      if ((serv.difficulty ?? 1) === 0) return;
      for (const p of serv.players as SquidPlayer[]) {
        if (!survival(p)) continue;
        const around = [...states.keys()].filter((m) => m.position.distanceTo(p.position) < 48).length;
        if (around >= cfg.maxPerPlayer) continue;
        const a = rng.next() * 2 * Math.PI;
        const d = cfg.minDistance + rng.next() * (cfg.maxDistance - cfg.minDistance);
        const x = Math.floor(p.position.x + Math.cos(a) * d);
        const z = Math.floor(p.position.z + Math.sin(a) * d);
        const y = await groundY(world, x, z, p.position.y, 8, 12);
        if (y === null) continue;
        spawnHostile(pickKind(), new Vec3(x + 0.5, y, z + 0.5));
      }
    }

    let spawnCount = 0;
    const ticker = setInterval(() => {
      if (serv.isClosed) {
        clearInterval(ticker);
        return;
      }
      if (++spawnCount % 15 === 0) void naturalSpawns().catch((err) => serv.debug?.(`hostile spawning failed: ${String(err)}`));
      for (const [mob, state] of states) {
        if (state.busy || state.dead) continue;
        state.busy = true;
        step(mob, state)
          .catch((err) => serv.debug?.(`hostile step failed: ${String(err)}`))
          .finally(() => {
            state.busy = false;
          });
      }
    }, STEP_MS);
    ticker.unref();
    serv.once('close', () => clearInterval(ticker));
  },
};
export default plugin;
