/**
 * Hostile mobs (opt-in): zombies and spiders that appear around survival players at night, chase
 * the nearest one within 16 blocks, hit it in melee once a second (vanilla damage for the server's
 * difficulty), die at vanilla health with minecraft-data's loot, and burn away at dawn. Off unless
 * the settings enable it, so the default world stays safe for agents that are still learning.
 *
 * Settings (flying-squid settings object):
 *   hostileMobs: false (default) | { maxPerPlayer?: 2, minDistance?: 16, maxDistance?: 28 }
 * `serv.spawnHostile(kind, position)` spawns one on demand (tests, commands); `serv.hostileMobs`
 * lists the living ones.
 */
import { Vec3 } from 'vec3';
import { Random } from '../../../../core/random.js';
import { dropItems, entityLoot, groundY, removeBodyLater, worldSeed, yawToward } from '../mob-kit.js';
import type { SquidEntity, SquidPlayer, SquidPlugin, SquidServer, SquidSettings } from '../plugin.js';

export const HOSTILE_MOBS = ['zombie', 'spider'] as const;
export type HostileMob = (typeof HOSTILE_MOBS)[number];

/** Vanilla max health and melee damage by difficulty (easy, normal, hard). */
export const HOSTILE_STATS: Record<HostileMob, { health: number; damage: [number, number, number]; speed: number }> = {
  zombie: { health: 20, damage: [2, 3, 4.5], speed: 0.23 },
  spider: { health: 16, damage: [2, 2, 3], speed: 0.3 },
};

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
}

const plugin: SquidPlugin = {
  async server(serv: SquidServer, settings: SquidSettings) {
    serv.hostileMobs = [] as SquidEntity[];
    serv.spawnHostile = () => {
      throw new Error('hostile mobs are off: start the world with hostileMobs enabled');
    };
    if (!settings.hostileMobs) return;
    const cfg = { maxPerPlayer: 2, minDistance: 16, maxDistance: 28, ...(typeof settings.hostileMobs === 'object' ? settings.hostileMobs : {}) };
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
      const state: HostileState = { kind, dead: false, busy: false, lastHit: 0, wander: null };
      states.set(mob, state);
      serv.hostileMobs.push(mob);
      const takeDamage = mob.takeDamage;
      mob.takeDamage = (opts: Record<string, unknown> = {}) => {
        if (state.dead) return;
        takeDamage.call(mob, { ...opts, sound: `entity.${kind}.hurt` });
        if (mob.health <= 0) die(mob, state, true);
      };
      return mob;
    }
    serv.spawnHostile = (kind: HostileMob, position: { x: number; y: number; z: number }) => {
      if (!HOSTILE_STATS[kind]) throw new Error(`unknown hostile mob ${String(kind)} (known: ${HOSTILE_MOBS.join(', ')})`);
      return spawnHostile(kind, new Vec3(position.x, position.y, position.z));
    };

    /**
     * Melee damage without knockback: flying-squid's takeDamage sends the victim an entity_velocity
     * packet, which mineflayer 4.25 mis-reads with minecraft-data 3.119 (the 1.16 packet now decodes
     * to `velocity: {x, y, z}`; mineflayer reads velocityX...), leaving the bot's physics at NaN.
     */
    function hurt(target: SquidPlayer, damage: number): void {
      const health = Math.max(0, target.health - damage);
      target.updateHealth(health);
      target._client.write('entity_status', { entityId: target.id, entityStatus: 2 });
      target._writeOthersNearby('entity_status', { entityId: target.id, entityStatus: health > 0 ? 2 : 3 });
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
      let target: SquidPlayer | null = null;
      let best = SIGHT;
      for (const p of serv.players as SquidPlayer[]) {
        if (!survival(p)) continue;
        const d = p.position.distanceTo(pos);
        if (d < best) {
          best = d;
          target = p;
        }
      }
      const stats = HOSTILE_STATS[state.kind];
      let goal: Vec3 | null = null;
      if (target) {
        const flat = Math.hypot(target.position.x - pos.x, target.position.z - pos.z);
        if (flat <= REACH && Math.abs(target.position.y - pos.y) <= 1.5) {
          const now = Date.now();
          if (now - state.lastHit >= COOLDOWN_MS) {
            state.lastHit = now;
            const damage = stats.damage[Math.max(0, Math.min(2, (serv.difficulty ?? 1) - 1))]!;
            if ((serv.difficulty ?? 1) > 0) hurt(target, damage);
          }
          mob.yaw = yawToward(target.position.x - pos.x, target.position.z - pos.z);
          return;
        }
        goal = target.position;
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
        spawnHostile(rng.next() < 0.7 ? 'zombie' : 'spider', new Vec3(x + 0.5, y, z + 0.5));
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
