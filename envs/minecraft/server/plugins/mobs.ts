/**
 * Passive mobs: pigs, cows, sheep and chickens around the spawn point, placed from the world seed,
 * wandering on the ground, panicking when hit, dying at zero health with their vanilla loot
 * (minecraft-data's entityLoot, plus the sheep's wool that table leaves out because it depends on
 * the fleece colour), and coming back at their home a while after death so a long run never
 * empties the world of food. Wherever players go, herds keep a population: every 200 game ticks,
 * an area (48 blocks around a survival player) with fewer than `perArea` passive mobs gets a new
 * herd of 2-4 of one kind on grass 20-40 blocks from the player, the kind as vanilla's biomes
 * have them (jungles: chickens; deserts: none), up to `maxTotal` mobs in the world.
 *
 * flying-squid 1.12 can spawn a mob but gives it no behaviour: 20 health for everything, crude
 * physics that slides it around, and on death an entity_status without the entity_destroy that
 * lets clients forget it. Our mobs skip that physics (their `size` is cleared) and move by ground
 * height instead: one step at a time, at most one block up or three down, never into water.
 *
 * Settings (flying-squid settings object, all optional):
 *   passiveMobs: { perKind?: number, minDistance?: number, maxDistance?: number, respawnMs?: number,
 *                  perArea?: number (8; 0 turns area herds off), maxTotal?: number (80) } | false
 */
import { Vec3 } from 'vec3';
import { Random } from '../../../../core/random.js';
import { dropItems, entityLoot, groundY as footing, removeBodyLater, worldSeed, yawToward } from '../mob-kit.js';
import type { SquidEntity, SquidPlugin, SquidServer, SquidSettings } from '../plugin.js';

export const PASSIVE_MOBS = ['pig', 'cow', 'sheep', 'chicken'] as const;
export type PassiveMob = (typeof PASSIVE_MOBS)[number];

/** Vanilla max health (minecraft-data has no entity health). */
export const MOB_HEALTH: Record<PassiveMob, number> = { pig: 10, cow: 10, sheep: 8, chicken: 4 };

/** Loot that minecraft-data's entityLoot leaves out. */
const EXTRA_LOOT: Partial<Record<PassiveMob, string[]>> = { sheep: ['white_wool'] };

const STEP_MS = 200;
const WALK = 0.22; // blocks per step: about 1.1 blocks/s, a vanilla pig's stroll
const PANIC = 0.45;
const HOME_RADIUS = 6;
/** Radius of the area around a player whose passive mobs are counted against `perArea`. */
export const HERD_AREA = 48;
/** Game ticks between two checks of every player's area (10 s at full speed). */
export const HERD_CHECK_TICKS = 200;

/** Kinds a new herd may be, by biome (vanilla's passive spawns, limited to these four). */
export function herdKinds(biome: string): readonly PassiveMob[] {
  if (biome === 'desert' || biome === 'beach' || biome === 'river') return [];
  if (biome === 'jungle') return ['chicken'];
  return PASSIVE_MOBS;
}

interface MobState {
  kind: PassiveMob;
  home: Vec3;
  target: Vec3 | null;
  panicUntil: number;
  dead: boolean;
  busy: boolean;
}

const plugin: SquidPlugin = {
  async server(serv: SquidServer, settings: SquidSettings) {
    const cfg = settings.passiveMobs === false ? null : { perKind: 3, minDistance: 6, maxDistance: 18, respawnMs: 60000, perArea: 8, maxTotal: 80, ...(settings.passiveMobs ?? {}) };
    serv.passiveMobs = [] as SquidEntity[];
    if (!cfg) return;
    const { registry } = serv;
    const seed = worldSeed(settings);
    const rng = new Random((seed ^ 0x0b1e55) >>> 0);
    let world: any; // set once the server is ready (flying-squid creates it asynchronously)
    const states = new Map<SquidEntity, MobState>();
    const groundY = (x: number, z: number, fromY: number, up: number, down: number) => footing(world, x, z, fromY, up, down);

    function spawn(kind: PassiveMob, home: Vec3): SquidEntity {
      const type = registry.entitiesByName[kind];
      const mob = serv.spawnMob(type.id, world, home.clone(), { yaw: rng.int(-128, 127) });
      mob.size = null; // opt out of flying-squid's entity physics; we move it ourselves
      mob.health = MOB_HEALTH[kind];
      mob.maxHealth = MOB_HEALTH[kind];
      const state: MobState = { kind, home: home.clone(), target: null, panicUntil: 0, dead: false, busy: false };
      states.set(mob, state);
      serv.passiveMobs.push(mob);
      const takeDamage = mob.takeDamage;
      mob.takeDamage = (opts: { damage?: number; attacker?: { position: Vec3 } } = {}) => {
        if (state.dead) return;
        takeDamage.call(mob, { ...opts, sound: `entity.${kind}.hurt` });
        if (mob.health <= 0) die(mob, state);
        else state.panicUntil = Date.now() + 3000;
      };
      return mob;
    }

    function die(mob: SquidEntity, state: MobState): void {
      state.dead = true;
      states.delete(mob);
      serv.passiveMobs.splice(serv.passiveMobs.indexOf(mob), 1);
      dropItems(serv, world, mob.position, entityLoot(registry, state.kind, rng, EXTRA_LOOT[state.kind]), rng);
      removeBodyLater(mob);
      if (cfg!.respawnMs > 0) {
        const t2 = setTimeout(() => {
          if (!serv.isClosed) spawn(state.kind, state.home);
        }, cfg!.respawnMs);
        t2.unref();
      }
    }

    async function step(mob: SquidEntity, state: MobState): Promise<void> {
      const now = Date.now();
      const panicking = now < state.panicUntil;
      if (!state.target || (!panicking && rng.next() < 0.02)) {
        if (!panicking && rng.next() < 0.6) {
          state.target = null; // stand still for a while, as grazing animals do
          return;
        }
        const a = rng.next() * 2 * Math.PI;
        const r = rng.next() * HOME_RADIUS;
        state.target = state.home.offset(Math.cos(a) * r, 0, Math.sin(a) * r);
      }
      const pos: Vec3 = mob.position;
      const dx = state.target.x - pos.x;
      const dz = state.target.z - pos.z;
      const dist = Math.hypot(dx, dz);
      if (dist < 0.3) {
        state.target = null;
        return;
      }
      const speed = Math.min(dist, panicking ? PANIC : WALK);
      const nx = pos.x + (dx / dist) * speed;
      const nz = pos.z + (dz / dist) * speed;
      const y = await groundY(Math.floor(nx), Math.floor(nz), pos.y, 1, 3);
      if (y === null) {
        state.target = null;
        return;
      }
      mob.yaw = yawToward(dx, dz);
      await mob.sendPosition(new Vec3(nx, y, nz), true);
    }

    const ticker = setInterval(() => {
      if (serv.isClosed) {
        clearInterval(ticker);
        return;
      }
      for (const [mob, state] of states) {
        if (state.busy || state.dead) continue;
        state.busy = true;
        step(mob, state)
          .catch((err) => serv.debug?.(`mob step failed: ${String(err)}`))
          .finally(() => {
            state.busy = false;
          });
      }
    }, STEP_MS);
    ticker.unref();
    serv.once('close', () => clearInterval(ticker));

    /**
     * Where a herd may come, 20-40 blocks from a player: open grass in a biome with herds. Several
     * tries per check, as vanilla makes many spawn attempts per tick: with one try, a check that
     * lands on water, sand or a desert spawned nothing for another 10 s, and a bare area far from
     * spawn took minutes to fill. The terrain's own column answers without loading chunks.
     */
    function herdCentre(at: Vec3): { cx: number; cz: number; kinds: readonly PassiveMob[] } | null {
      const terrain = world.chunkGenerator?.terrain;
      for (let tries = 0; tries < 8; tries++) {
        const a = rng.next() * 2 * Math.PI;
        const d = 20 + rng.next() * 20;
        const cx = Math.floor(at.x + Math.cos(a) * d);
        const cz = Math.floor(at.z + Math.sin(a) * d);
        const kinds = herdKinds(terrain?.biomeAt(cx, cz) ?? 'plains');
        if (kinds.length === 0) continue;
        if (terrain) {
          const column = terrain.columnAt(cx, cz);
          if (column.surface !== 'grass' || column.water >= 0) continue;
        }
        return { cx, cz, kinds };
      }
      return null;
    }

    /** A new herd near each survival player whose area holds fewer than perArea passive mobs. */
    async function replenish(): Promise<void> {
      for (const p of serv.players as any[]) {
        if ((p.gameMode !== 0 && p.gameMode !== 2) || p.world !== world || p.health <= 0) continue;
        if (serv.passiveMobs.length >= cfg!.maxTotal) return;
        const around = (serv.passiveMobs as SquidEntity[]).filter((m) => m.position.distanceTo(p.position) < HERD_AREA).length;
        if (around >= cfg!.perArea) continue;
        const centre = herdCentre(p.position);
        if (!centre) continue;
        const { cx, cz, kinds } = centre;
        const kind = kinds[Math.floor(rng.next() * kinds.length)]!;
        const size = Math.min(2 + Math.floor(rng.next() * 3), cfg!.perArea - around, cfg!.maxTotal - serv.passiveMobs.length);
        for (let i = 0; i < size; i++) {
          const x = cx + rng.int(-2, 2);
          const z = cz + rng.int(-2, 2);
          const y = await groundY(x, z, p.position.y, 16, 24);
          if (y === null) continue;
          const ground = await world.getBlock(new Vec3(x, y - 1, z));
          if (ground?.name !== 'grass_block') continue; // vanilla animals spawn on grass only
          spawn(kind, new Vec3(x + 0.5, y, z + 0.5));
        }
      }
    }
    if (cfg.perArea > 0) {
      let replenishing = false;
      serv.on('tick', (_time: number, tick: number) => {
        if (!world || replenishing || tick % HERD_CHECK_TICKS !== 0) return;
        replenishing = true;
        replenish()
          .catch((err) => serv.debug?.(`herd spawning failed: ${String(err)}`))
          .finally(() => {
            replenishing = false;
          });
      });
    }

    // Herds around the spawn point, placed from the seed. Wait for 'ready' so every plugin (the
    // spawn plugin in particular) has set the server up.
    await serv.waitForReady(15000);
    world = serv.overworld;
    const spawnPoint: Vec3 = await serv.getSpawnPoint(world);
    for (const kind of PASSIVE_MOBS) {
      for (let i = 0; i < cfg.perKind; i++) {
        for (let tries = 0; tries < 20; tries++) {
          const a = rng.next() * 2 * Math.PI;
          const d = cfg.minDistance + rng.next() * (cfg.maxDistance - cfg.minDistance);
          const x = Math.floor(spawnPoint.x + Math.cos(a) * d);
          const z = Math.floor(spawnPoint.z + Math.sin(a) * d);
          const y = await groundY(x, z, spawnPoint.y, 8, 12);
          if (y === null) continue;
          spawn(kind, new Vec3(x + 0.5, y, z + 0.5));
          break;
        }
      }
    }
  },
};
export default plugin;
