/**
 * What a Minecraft agent sees, in Voyager's fields: biome, time of day, nearby blocks, nearby entities,
 * health, hunger, position, equipment, inventory and nearby chests. Three renderings:
 * - `json`: the structured state (Voyager's field names, plus counts of key blocks within 32 blocks);
 * - `text`: Voyager's prompt layout ("Biome: ...\n\nTime: ...\n\nNearby blocks: ...");
 * - `features`: a fixed-length vector for affordance models, layout MINECRAFT_FEATURE_VERSION, named by
 *   MINECRAFT_FEATURE_NAMES. Change the layout only together with the version.
 *
 * @example
 * const chests = new ChestMemory(); chests.attach(bot);
 * const obs = observeBot(bot, { chests });
 * obs.features[obs.featureNames.indexOf('inv.log')]; // logs held, /64
 */
import type { Bot } from 'mineflayer';
import type { Entity } from 'prismarine-entity';
import { Vec3 } from 'vec3';
import type { EventEmitter } from 'node:events';
import type { JsonValue, Observation } from '../../core/types.js';
import { CLOSE_CHEST_EVENT, REMOVE_CHEST_EVENT } from './primitives/useChest.js';

/** Version of the feature layout below; bump when names or scaling change. */
export const MINECRAFT_FEATURE_VERSION = 'minecraft-features-v1';

/** Radius (blocks) of Voyager's "Nearby blocks" voxel scan: x and z ±8, y ±2. */
export const VOXEL_RADIUS = { xz: 8, y: 2 } as const;
/** Radius for block counts and entities (what mineBlock/killMob can reach without exploring). */
export const SCAN_RADIUS = 32;
/** Chests within this radius are listed (Voyager's). */
export const CHEST_RADIUS = 16;

/** Inventory groups counted in the feature vector: name -> predicate on item names. */
const INVENTORY_GROUPS: readonly [string, (n: string) => boolean][] = [
  ['log', (n) => n.endsWith('_log') || n.endsWith('_stem')],
  ['planks', (n) => n.endsWith('_planks')],
  ['stick', (n) => n === 'stick'],
  ['cobblestone', (n) => n === 'cobblestone'],
  ['stone', (n) => n === 'stone'],
  ['dirt', (n) => n === 'dirt' || n === 'grass_block'],
  ['sand', (n) => n === 'sand' || n === 'red_sand'],
  ['coal', (n) => n === 'coal' || n === 'charcoal'],
  ['iron_ore', (n) => n === 'iron_ore' || n === 'raw_iron'],
  ['iron_ingot', (n) => n === 'iron_ingot'],
  ['gold_ingot', (n) => n === 'gold_ingot'],
  ['diamond', (n) => n === 'diamond'],
  ['crafting_table', (n) => n === 'crafting_table'],
  ['furnace', (n) => n === 'furnace'],
  ['chest', (n) => n === 'chest'],
  ['wool', (n) => n.endsWith('_wool')],
];

/** Block groups counted within SCAN_RADIUS (json.blockCounts): group -> block names. */
export const BLOCK_GROUPS: readonly [string, readonly string[]][] = [
  ['log', ['oak_log', 'spruce_log', 'birch_log', 'jungle_log', 'acacia_log', 'dark_oak_log']],
  ['leaves', ['oak_leaves', 'spruce_leaves', 'birch_leaves', 'jungle_leaves', 'acacia_leaves', 'dark_oak_leaves']],
  ['stone', ['stone']],
  ['coal_ore', ['coal_ore']],
  ['iron_ore', ['iron_ore']],
  ['gold_ore', ['gold_ore']],
  ['diamond_ore', ['diamond_ore']],
  ['sand', ['sand']],
  ['water', ['water']],
  ['crafting_table', ['crafting_table']],
  ['furnace', ['furnace']],
  ['chest', ['chest']],
];

const TOOL_KINDS = ['pickaxe', 'axe', 'sword', 'shovel'] as const;
const TIER: Record<string, number> = { wooden: 1, golden: 1, stone: 2, iron: 3, diamond: 4, netherite: 5 };

/** Feature names, in vector order. Counts are min(n, 64)/64; tiers /5; entities min(n, 8)/8. */
export const MINECRAFT_FEATURE_NAMES: readonly string[] = Object.freeze([
  'health', // /20
  'food', // /20
  'y', // /256
  'time_of_day', // ticks/24000
  'is_night',
  'on_ground',
  'in_water',
  'inventory_used', // /36
  ...TOOL_KINDS.map((k) => `tool.${k}`),
  ...INVENTORY_GROUPS.map(([g]) => `inv.${g}`),
  'inv.food',
  ...BLOCK_GROUPS.map(([g]) => `near.${g}`),
  'mobs.passive',
  'mobs.hostile',
  'players',
]);

const PASSIVE = new Set(['pig', 'cow', 'sheep', 'chicken', 'rabbit', 'horse', 'donkey', 'llama', 'mooshroom', 'cat', 'wolf', 'fox', 'bee', 'turtle', 'parrot', 'panda', 'polar_bear', 'squid', 'cod', 'salmon', 'villager']);

/** Remembers chest contents seen by the chest primitives (Voyager's chest memory). */
export class ChestMemory {
  private readonly known = new Map<string, Record<string, number>>();
  private detachFn: (() => void) | null = null;

  attach(bot: Bot): void {
    this.detach();
    const em = bot as unknown as EventEmitter;
    const onClose = (contents: Record<string, number>, pos: Vec3) => this.known.set(key(pos), { ...contents });
    const onRemove = (pos: Vec3) => this.known.delete(key(pos));
    em.on(CLOSE_CHEST_EVENT, onClose);
    em.on(REMOVE_CHEST_EVENT, onRemove);
    this.detachFn = () => {
      em.removeListener(CLOSE_CHEST_EVENT, onClose);
      em.removeListener(REMOVE_CHEST_EVENT, onRemove);
    };
  }

  detach(): void {
    this.detachFn?.();
    this.detachFn = null;
  }

  /** Chests near the bot: contents when known, else 'Unknown'. Keys are "(x, y, z)" like Voyager's. */
  observe(bot: Bot): Record<string, Record<string, number> | 'Unknown'> {
    const out: Record<string, Record<string, number> | 'Unknown'> = {};
    const chest = bot.registry.blocksByName.chest;
    if (chest) {
      for (const p of bot.findBlocks({ matching: chest.id, maxDistance: CHEST_RADIUS, count: 64 })) {
        out[key(p)] = this.known.get(key(p)) ?? 'Unknown';
      }
    }
    // Chests remembered but out of range stay listed (Voyager keeps its chest memory).
    for (const [k, v] of this.known) if (!(k in out)) out[k] = v;
    return out;
  }
}

function key(p: { x: number; y: number; z: number }): string {
  return `(${Math.floor(p.x)}, ${Math.floor(p.y)}, ${Math.floor(p.z)})`;
}

/** Voyager's time-of-day names from world ticks. */
export function timeOfDayName(ticks: number): string {
  const t = ((ticks % 24000) + 24000) % 24000;
  if (t < 1000) return 'sunrise';
  if (t < 6000) return 'day';
  if (t < 12000) return 'noon';
  if (t < 13000) return 'sunset';
  if (t < 18000) return 'night';
  if (t < 22000) return 'midnight';
  return 'sunrise';
}

function biomeName(bot: Bot): string {
  const block = bot.blockAt(bot.entity.position);
  const b = block?.biome as { id?: number; name?: string } | undefined;
  if (b?.name) return b.name;
  if (typeof b?.id === 'number') return bot.registry.biomes?.[b.id]?.name ?? 'unknown';
  return 'unknown';
}

/** Unique block names around the bot (±8 x/z, ±2 y), Voyager's "Nearby blocks". */
export function nearbyBlockNames(bot: Bot): string[] {
  const names = new Set<string>();
  const c = bot.entity.position.floored();
  for (let dx = -VOXEL_RADIUS.xz; dx <= VOXEL_RADIUS.xz; dx++) {
    for (let dy = -VOXEL_RADIUS.y; dy <= VOXEL_RADIUS.y; dy++) {
      for (let dz = -VOXEL_RADIUS.xz; dz <= VOXEL_RADIUS.xz; dz++) {
        const b = bot.blockAt(c.offset(dx, dy, dz));
        if (b && b.name !== 'air' && b.name !== 'cave_air' && b.name !== 'void_air') names.add(b.name);
      }
    }
  }
  return [...names].sort();
}

/** Counts (capped at 64) of key block groups within SCAN_RADIUS. */
export function blockGroupCounts(bot: Bot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [group, names] of BLOCK_GROUPS) {
    const ids = names.map((n) => bot.registry.blocksByName[n]?.id).filter((i): i is number => typeof i === 'number');
    out[group] = ids.length ? bot.findBlocks({ matching: ids, maxDistance: SCAN_RADIUS, count: 64 }).length : 0;
  }
  return out;
}

function isHostile(e: Entity): boolean {
  const cat = (e as unknown as { kind?: string }).kind ?? '';
  return cat === 'Hostile mobs' || (e.type as string) === 'hostile';
}

/** Nearest distance per mob name within SCAN_RADIUS (Voyager's entities), plus counts. */
export function nearbyEntities(bot: Bot): { entities: Record<string, number>; players: string[]; passive: number; hostile: number } {
  const entities: Record<string, number> = {};
  const players: string[] = [];
  let passive = 0;
  let hostile = 0;
  const me = bot.entity.position;
  for (const e of Object.values(bot.entities)) {
    if (e === bot.entity || !e.position) continue;
    const d = e.position.distanceTo(me);
    if (d > SCAN_RADIUS) continue;
    if (e.type === 'player') {
      if (e.username && e.username !== bot.username) players.push(e.username);
      continue;
    }
    if ((e.type as string) !== 'mob' && (e.type as string) !== 'hostile' && (e.type as string) !== 'animal' && (e.type as string) !== 'passive') continue;
    const name = e.name ?? 'unknown';
    if (!(name in entities) || d < entities[name]!) entities[name] = Math.round(d * 10) / 10;
    if (isHostile(e)) hostile++;
    else if (PASSIVE.has(name)) passive++;
  }
  return { entities, players: players.sort(), passive, hostile };
}

const EQUIPMENT_SLOTS = [5, 6, 7, 8] as const; // head, torso, legs, feet

/** Voyager's equipment list: [head, chest, legs, feet, mainhand, offhand] item names or null. */
export function equipmentNames(bot: Bot): (string | null)[] {
  const s = bot.inventory.slots;
  return [...EQUIPMENT_SLOTS.map((i) => s[i]?.name ?? null), bot.heldItem?.name ?? null, s[45]?.name ?? null];
}

export interface ObserveOptions {
  chests?: ChestMemory;
}

/** Build the full observation of a connected bot. */
export function observeBot(bot: Bot, options: ObserveOptions = {}): Observation {
  const pos = bot.entity.position;
  const inventory: Record<string, number> = {};
  for (const it of bot.inventory.items()) inventory[it.name] = (inventory[it.name] ?? 0) + it.count;
  const inventoryUsed = bot.inventory.items().length;
  const ticks = bot.time?.timeOfDay ?? 0;
  const { entities, players, passive, hostile } = nearbyEntities(bot);
  const blockCounts = blockGroupCounts(bot);
  const chests = options.chests ? options.chests.observe(bot) : {};
  const health = typeof bot.health === 'number' ? bot.health : 20;
  const food = typeof bot.food === 'number' ? bot.food : 20;
  const equipment = equipmentNames(bot);
  const json: Record<string, JsonValue> = {
    featureVersion: MINECRAFT_FEATURE_VERSION,
    biome: biomeName(bot),
    timeOfDay: timeOfDayName(ticks),
    time: ticks,
    voxels: nearbyBlockNames(bot),
    blockCounts,
    entities,
    players,
    health,
    food,
    position: { x: round1(pos.x), y: round1(pos.y), z: round1(pos.z) },
    onGround: !!bot.entity.onGround,
    isInWater: !!(bot.entity as unknown as { isInWater?: boolean }).isInWater,
    equipment,
    inventoryUsed,
    inventory,
    chests: chests as JsonValue,
  };
  return { json, text: renderObservationText(json), features: featureVector(json), featureNames: MINECRAFT_FEATURE_NAMES };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function tierOf(inventory: Record<string, number>, kind: string): number {
  let best = 0;
  for (const name of Object.keys(inventory)) {
    const m = /^([a-z]+)_(pickaxe|axe|sword|shovel|hoe)$/.exec(name);
    if (m && m[2] === kind) best = Math.max(best, TIER[m[1]!] ?? 0);
  }
  return best;
}

const FOOD_NAMES = new Set([
  'apple', 'bread', 'porkchop', 'cooked_porkchop', 'beef', 'cooked_beef', 'chicken', 'cooked_chicken', 'mutton', 'cooked_mutton',
  'rabbit', 'cooked_rabbit', 'cod', 'cooked_cod', 'salmon', 'cooked_salmon', 'carrot', 'potato', 'baked_potato', 'beetroot',
  'melon_slice', 'sweet_berries', 'cookie', 'pumpkin_pie', 'golden_apple', 'golden_carrot', 'mushroom_stew', 'dried_kelp',
]);

/** The feature vector of an observation's JSON (exported so stored observations can be re-featurised). */
export function featureVector(json: Record<string, JsonValue>): Float32Array {
  const inv = (json.inventory ?? {}) as Record<string, number>;
  const counts = (json.blockCounts ?? {}) as Record<string, number>;
  const pos = (json.position ?? { y: 0 }) as { y: number };
  const ticks = typeof json.time === 'number' ? json.time : 0;
  const cap = (n: number, m: number) => Math.min(Math.max(n, 0), m) / m;
  const v: number[] = [
    cap(Number(json.health ?? 0), 20),
    cap(Number(json.food ?? 0), 20),
    cap(pos.y, 256),
    (((ticks % 24000) + 24000) % 24000) / 24000,
    ['night', 'midnight'].includes(String(json.timeOfDay)) ? 1 : 0,
    json.onGround ? 1 : 0,
    json.isInWater ? 1 : 0,
    cap(Number(json.inventoryUsed ?? 0), 36),
    ...TOOL_KINDS.map((k) => tierOf(inv, k) / 5),
    ...INVENTORY_GROUPS.map(([, pred]) => cap(Object.entries(inv).reduce((s, [n, c]) => (pred(n) ? s + c : s), 0), 64)),
    cap(Object.entries(inv).reduce((s, [n, c]) => (FOOD_NAMES.has(n) ? s + c : s), 0), 64),
    ...BLOCK_GROUPS.map(([g]) => cap(counts[g] ?? 0, 64)),
    cap(countMobs(json, true), 8),
    cap(countMobs(json, false), 8),
    cap(Array.isArray(json.players) ? json.players.length : 0, 8),
  ];
  if (v.length !== MINECRAFT_FEATURE_NAMES.length) throw new Error(`feature layout mismatch: ${v.length} values for ${MINECRAFT_FEATURE_NAMES.length} names`);
  return Float32Array.from(v);
}

const HOSTILE = new Set(['zombie', 'skeleton', 'creeper', 'spider', 'cave_spider', 'enderman', 'witch', 'slime', 'drowned', 'husk', 'stray', 'phantom', 'pillager', 'zombie_villager']);

/** Mob kinds nearby (one per name: the observation keeps the nearest of each, like Voyager's). */
function countMobs(json: Record<string, JsonValue>, passive: boolean): number {
  const names = Object.keys((json.entities ?? {}) as object);
  return names.filter((n) => (passive ? PASSIVE.has(n) : HOSTILE.has(n))).length;
}

function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(v as object)
    .map(([k, x]) => `'${k}': ${pyRepr(x)}`)
    .join(', ')}}`;
}

/** Voyager's prompt layout of an observation. */
export function renderObservationText(json: Record<string, JsonValue>): string {
  const pos = json.position as { x: number; y: number; z: number };
  const entities = Object.entries((json.entities ?? {}) as Record<string, number>).sort((a, b) => a[1] - b[1]);
  const voxels = (json.voxels ?? []) as string[];
  const inv = (json.inventory ?? {}) as Record<string, number>;
  const chests = (json.chests ?? {}) as Record<string, Record<string, number> | string>;
  const lines: string[] = [];
  lines.push(`Biome: ${json.biome}`);
  lines.push(`Time: ${json.timeOfDay}`);
  lines.push(`Nearby blocks: ${voxels.length ? voxels.join(', ') : 'None'}`);
  lines.push(`Nearby entities (nearest to farthest): ${entities.length ? entities.map(([n]) => n).join(', ') : 'None'}`);
  lines.push(`Health: ${Number(json.health).toFixed(1)}/20`);
  lines.push(`Hunger: ${Number(json.food).toFixed(1)}/20`);
  lines.push(`Position: x=${pos.x.toFixed(1)}, y=${pos.y.toFixed(1)}, z=${pos.z.toFixed(1)}`);
  lines.push(`Equipment: ${pyRepr(json.equipment)}`);
  lines.push(`Inventory (${json.inventoryUsed}/36): ${Object.keys(inv).length ? pyRepr(inv) : 'Empty'}`);
  const chestLines: string[] = [];
  for (const [p, c] of Object.entries(chests)) if (typeof c === 'object' && Object.keys(c).length) chestLines.push(`${p}: ${pyRepr(c)}`);
  for (const [p, c] of Object.entries(chests)) if (typeof c === 'object' && !Object.keys(c).length) chestLines.push(`${p}: Empty`);
  for (const [p, c] of Object.entries(chests)) if (typeof c === 'string') chestLines.push(`${p}: Unknown items inside`);
  lines.push(chestLines.length ? `Chests:\n${chestLines.join('\n')}` : 'Chests: None');
  return lines.join('\n\n');
}
