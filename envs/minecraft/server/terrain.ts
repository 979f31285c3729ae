/**
 * The shape of a skillforge world, as pure functions of a seed: surface height and material per
 * column, where trees stand, ore veins per chunk, and a few landmarks placed around the spawn
 * point so that every seed gives a Voyager-style agent what its first hour needs within reach
 * (oak trees 5-9 blocks away, an exposed stone quarry with iron and coal ore at its surface, a
 * pond, birch and spruce trees a little further). Nothing here knows about chunks or block ids;
 * generator.ts turns it into prismarine chunks.
 *
 * Everything is random-access (a column's content does not depend on which chunks were generated
 * before), so the same seed gives the same world whatever order players explore it in.
 */
import { Random } from '../../../core/random.js';
import { hash01, Noise2 } from './noise.js';

export const SEA_LEVEL = 62;

export type WoodType = 'oak' | 'birch' | 'spruce' | 'acacia' | 'jungle';
/** minecraft-data biome names this terrain uses. */
export type BiomeName = 'plains' | 'forest' | 'birch_forest' | 'taiga' | 'beach' | 'river' | 'desert' | 'savanna' | 'jungle';
/** Plants standing on a surface block: one block, or a stack `height` blocks tall. */
export type PlantName = 'grass' | 'dandelion' | 'poppy' | 'azure_bluet' | 'oxeye_daisy' | 'cornflower' | 'dead_bush' | 'cactus' | 'sugar_cane' | 'bamboo';
export interface Plant {
  block: PlantName;
  height: number;
}
/** A cave segment: every block within `r` of (x, y, z) is carved (below the soil, above bedrock). */
export type CaveSphere = [x: number, y: number, z: number, r: number];
export type Surface = 'grass' | 'sand' | 'stone' | 'gravel';

export interface Column {
  /** y of the topmost solid block. */
  height: number;
  surface: Surface;
  /** y of the water surface when the column is under water, else -1. */
  water: number;
  /** Set for columns in the quarry landmark: exposed ore at the surface. */
  ore?: 'iron_ore' | 'coal_ore';
}

export interface Tree {
  x: number;
  z: number;
  /** y of the lowest log (one above the ground). */
  y: number;
  wood: WoodType;
  trunk: number;
}

export interface Landmarks {
  /** Centre of the exposed stone pit, with iron ore at and just under its surface. */
  quarry: { x: number; z: number; radius: number };
  pond: { x: number; z: number; radius: number; level: number };
  /** Trees guaranteed near spawn (oak close, birch and spruce further out). */
  trees: Tree[];
}

export interface Vein {
  ore: OreName;
  blocks: Array<[number, number, number]>;
}

export type OreName = 'coal_ore' | 'iron_ore' | 'gold_ore' | 'redstone_ore' | 'diamond_ore' | 'lapis_ore';

/** Veins per chunk, vein size and height range, close to vanilla 1.16 overworld ore features. */
export const ORE_RULES: ReadonlyArray<{ ore: OreName; veins: number; size: number; minY: number; maxY: number }> = [
  { ore: 'coal_ore', veins: 16, size: 10, minY: 5, maxY: 100 },
  { ore: 'iron_ore', veins: 12, size: 7, minY: 5, maxY: 66 },
  { ore: 'gold_ore', veins: 2, size: 7, minY: 5, maxY: 32 },
  { ore: 'redstone_ore', veins: 6, size: 6, minY: 5, maxY: 16 },
  { ore: 'diamond_ore', veins: 1, size: 6, minY: 5, maxY: 16 },
  { ore: 'lapis_ore', veins: 1, size: 5, minY: 10, maxY: 30 },
];

const SALT_TREE = 11;
const SALT_PLANT = 13;
const SALT_TRUNK = 17;
const SALT_BEDROCK = 19;
const SALT_DIRT = 23;
const SALT_ORE = 29;
const SALT_FLOWER = 31;
const SALT_CANE = 37;
const SALT_CAVE = 41;
const SALT_BAMBOO = 43;

/** Flowers of plains and forests (vanilla's common ones). */
const FLOWERS: readonly PlantName[] = ['dandelion', 'poppy', 'azure_bluet', 'oxeye_daisy', 'cornflower'];
/** No hot biome (desert, savanna, jungle) within this many blocks of spawn: the first hour's landmarks stay temperate. */
export const TEMPERATE_RADIUS = 96;
/** Caves start this far from spawn, so the first hour's walk never breaks into one. */
export const CAVE_FREE_RADIUS = 40;
/** Chunks a cave can reach beyond the one it starts in. */
const CAVE_REACH_CHUNKS = 3;

export class Terrain {
  readonly seed: number;
  /** Where players appear: feet position on a grass block. */
  readonly spawn: { x: number; y: number; z: number };
  readonly landmarks: Landmarks;
  private readonly ground: Noise2;
  private readonly hills: Noise2;
  private readonly rock: Noise2;
  private readonly forest: Noise2;
  private readonly temperature: Noise2;
  private readonly heat: Noise2;
  private readonly humidity: Noise2;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.ground = new Noise2(this.seed ^ 0x1001);
    this.hills = new Noise2(this.seed ^ 0x2002);
    this.rock = new Noise2(this.seed ^ 0x3003);
    this.forest = new Noise2(this.seed ^ 0x4004);
    this.temperature = new Noise2(this.seed ^ 0x5005);
    this.heat = new Noise2(this.seed ^ 0x6006);
    this.humidity = new Noise2(this.seed ^ 0x7007);
    const s = this.findSpawn();
    this.spawn = { x: s.x, y: this.baseHeight(s.x, s.z) + 1, z: s.z };
    this.landmarks = this.placeLandmarks();
  }

  /** Natural height before landmarks. */
  baseHeight(x: number, z: number): number {
    const g = this.ground.fbm(x / 90, z / 90, 4);
    const h = Math.max(0, this.hills.fbm(x / 150, z / 150, 3) - 0.1);
    return Math.round(64 + 8 * g + 26 * h);
  }

  private rocky(x: number, z: number, h: number): boolean {
    return h >= 67 && this.rock.fbm(x / 40, z / 40, 2) > 0.28;
  }

  /** The final content of one column, landmarks included. */
  columnAt(x: number, z: number): Column {
    const { quarry, pond } = this.landmarks;
    const base = this.baseHeight(x, z);
    const dq = Math.hypot(x - quarry.x, z - quarry.z);
    if (dq <= quarry.radius) {
      const ore = x === quarry.x && z === quarry.z ? 'iron_ore'
        : dq <= 1.5 && hash01(this.seed, x, z, SALT_ORE) < 0.5 ? 'iron_ore'
        : dq > quarry.radius - 1 && hash01(this.seed, x, z, SALT_ORE) < 0.4 ? 'coal_ore'
        : undefined;
      return { height: base, surface: 'stone', water: -1, ore };
    }
    const dp = Math.hypot(x - pond.x, z - pond.z);
    if (dp <= pond.radius) {
      const depth = dp < pond.radius - 2 ? 3 : dp < pond.radius - 1 ? 2 : 1;
      return { height: Math.min(base, pond.level - depth), surface: 'sand', water: pond.level };
    }
    if (base < SEA_LEVEL) {
      const g = hash01(this.seed, x >> 2, z >> 2, SALT_DIRT) < 0.3;
      return { height: base, surface: g ? 'gravel' : 'sand', water: SEA_LEVEL };
    }
    if (base <= SEA_LEVEL + 1) return { height: base, surface: 'sand', water: -1 };
    if (this.rocky(x, z, base)) return { height: base, surface: 'stone', water: -1 };
    if (this.climateAt(x, z) === 'desert') return { height: base, surface: 'sand', water: -1 };
    return { height: base, surface: 'grass', water: -1 };
  }

  /**
   * The hot biome of a column, or null where the climate is temperate. Heat and humidity are broad
   * noise fields (a few hundred blocks across); heat fades out towards spawn (TEMPERATE_RADIUS).
   */
  climateAt(x: number, z: number): 'desert' | 'savanna' | 'jungle' | null {
    const d = Math.hypot(x - this.spawn.x, z - this.spawn.z);
    if (d < TEMPERATE_RADIUS) return null;
    const heat = this.heat.fbm(x / 260, z / 260, 2) - Math.max(0, 1 - (d - TEMPERATE_RADIUS) / 64) * 0.3;
    if (heat < 0.12) return null;
    const wet = this.humidity.fbm(x / 200, z / 200, 2);
    return wet < -0.05 ? 'desert' : wet < 0.15 ? 'savanna' : 'jungle';
  }

  woodAt(x: number, z: number): WoodType {
    const hot = this.climateAt(x, z);
    if (hot === 'savanna') return 'acacia';
    if (hot === 'jungle') return hash01(this.seed, x, z, SALT_TRUNK) < 0.2 ? 'oak' : 'jungle';
    const t = this.temperature.fbm(x / 220, z / 220, 2);
    if (t < -0.22) return 'spruce';
    if (t > 0.22) return 'birch';
    return hash01(this.seed, x, z, SALT_TRUNK) < 0.15 ? 'birch' : 'oak';
  }

  /** Chance that a grass column holds a tree trunk. */
  private treeDensity(x: number, z: number): number {
    const hot = this.climateAt(x, z);
    if (hot === 'desert') return 0;
    if (hot === 'savanna') return 0.006;
    if (hot === 'jungle') return 0.05;
    const f = this.forest.fbm(x / 120, z / 120, 2);
    return Math.min(0.05, Math.max(0.002, 0.012 + 0.08 * f));
  }

  /** Trees (landmark and natural) whose trunk stands in the box [x0, x1) x [z0, z1). */
  treesIn(x0: number, z0: number, x1: number, z1: number): Tree[] {
    const out: Tree[] = [];
    for (const t of this.landmarks.trees) {
      if (t.x >= x0 && t.x < x1 && t.z >= z0 && t.z < z1) out.push(t);
    }
    for (let x = x0; x < x1; x++) {
      for (let z = z0; z < z1; z++) {
        const r = hash01(this.seed, x, z, SALT_TREE);
        if (r >= 0.05) continue; // cheap reject before any noise
        if (r >= this.treeDensity(x, z)) continue;
        if (!this.freeForNaturalFeature(x, z, 5)) continue;
        const c = this.columnAt(x, z);
        if (c.surface !== 'grass' || c.water >= 0) continue;
        const wood = this.woodAt(x, z);
        out.push({ x, z, y: c.height + 1, wood, trunk: trunkHeight(wood, hash01(this.seed, x, z, SALT_TRUNK)) });
      }
    }
    return out;
  }

  /** A grass tuft on this column (decoration; never on landmarks or near spawn). */
  plantAt(x: number, z: number): boolean {
    return hash01(this.seed, x, z, SALT_PLANT) < 0.05 && this.freeForNaturalFeature(x, z, 3);
  }

  /**
   * What grows on a dry column, by biome: flowers and grass in plains and forests, cactus and dead
   * bushes on desert sand, bamboo in jungle patches, sugar cane on the bank of any lake or river
   * (beside water at its own level, as vanilla requires). Never on landmarks or next to spawn.
   * Trees are separate (treesIn); a column holding a trunk gets no plant from the generator.
   */
  plantOn(x: number, z: number, c: Column = this.columnAt(x, z)): Plant | null {
    if (c.water >= 0 || c.surface === 'stone' || c.surface === 'gravel') return null;
    const r = hash01(this.seed, x, z, SALT_CANE);
    if (r < 0.35 && c.height === SEA_LEVEL && this.besideWater(x, z, c.height)) {
      return this.freeForNaturalFeature(x, z, 3) ? { block: 'sugar_cane', height: 1 + Math.floor(hash01(this.seed, x, z, SALT_CANE + 1) * 3) } : null;
    }
    const hot = this.climateAt(x, z);
    const f = hash01(this.seed, x, z, SALT_FLOWER);
    if (hot === 'desert') {
      if (c.surface !== 'sand') return null;
      if (this.cactusRoot(x, z) && this.cactusRoom(x, z, c.height)) return { block: 'cactus', height: 1 + Math.floor(hash01(this.seed, x, z, SALT_FLOWER + 1) * 3) };
      return f < 0.01 ? { block: 'dead_bush', height: 1 } : null;
    }
    if (c.surface !== 'grass') return null;
    if (hot === 'jungle' && hash01(this.seed, x >> 3, z >> 3, SALT_BAMBOO) < 0.45 && f < 0.12) {
      return { block: 'bamboo', height: 4 + Math.floor(hash01(this.seed, x, z, SALT_BAMBOO + 1) * 9) };
    }
    if (!hot && f < (this.treeDensity(x, z) > 0.02 ? 0.008 : 0.025) && this.freeForNaturalFeature(x, z, 3)) {
      return { block: FLOWERS[Math.floor(hash01(this.seed, x, z, SALT_FLOWER + 2) * FLOWERS.length)]!, height: 1 };
    }
    return this.plantAt(x, z) ? { block: 'grass', height: 1 } : null;
  }

  /** A column of dry ground whose neighbour holds water at the ground block's level. */
  private besideWater(x: number, z: number, height: number): boolean {
    for (const [dx, dz] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
      if (this.columnAt(x + dx, z + dz).water === height) return true;
    }
    return false;
  }

  private cactusRoot(x: number, z: number): boolean {
    return hash01(this.seed, x, z, SALT_FLOWER + 3) < 0.012;
  }

  /** A cactus breaks beside anything solid: no other cactus and no higher ground next to it. */
  private cactusRoom(x: number, z: number, height: number): boolean {
    for (const [dx, dz] of [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]] as const) {
      if (this.cactusRoot(x + dx, z + dz)) return false;
      if (Math.abs(dx) + Math.abs(dz) === 1 && this.columnAt(x + dx, z + dz).height > height) return false;
    }
    return true;
  }

  /**
   * Caves that start in one chunk: a worm of carved spheres wandering 30-60 blocks from a point at
   * y 12-52, in about one chunk of three. They may cross into the next CAVE_REACH_CHUNKS chunks;
   * callers clip. The generator carves only stone, ore, dirt and gravel below each column's soil, so
   * caves never open the surface or drain water, and none start near spawn (CAVE_FREE_RADIUS).
   */
  cavesOf(chunkX: number, chunkZ: number): CaveSphere[] {
    const rng = new Random(Math.floor(hash01(this.seed, chunkX, chunkZ, SALT_CAVE) * 4294967296));
    if (rng.next() >= 0.35) return [];
    let x = chunkX * 16 + rng.int(0, 15);
    let y = rng.int(12, 52);
    let z = chunkZ * 16 + rng.int(0, 15);
    const out: CaveSphere[] = [];
    let yaw = rng.next() * 2 * Math.PI;
    let pitch = (rng.next() - 0.5) * 0.5;
    const length = rng.int(30, 60);
    const reach = CAVE_REACH_CHUNKS * 16;
    for (let i = 0; i < length; i++) {
      const r = 1.3 + 1.2 * Math.sin((Math.PI * i) / length) + rng.next() * 0.4;
      if (Math.hypot(x - this.spawn.x, z - this.spawn.z) >= CAVE_FREE_RADIUS + r) out.push([x, y, z, r]);
      yaw += (rng.next() - 0.5) * 0.6;
      pitch = Math.max(-0.6, Math.min(0.6, pitch * 0.8 + (rng.next() - 0.5) * 0.4));
      x += Math.cos(yaw) * Math.cos(pitch);
      z += Math.sin(yaw) * Math.cos(pitch);
      y = Math.max(8, Math.min(60, y + Math.sin(pitch)));
      if (Math.abs(x - chunkX * 16 - 8) > reach || Math.abs(z - chunkZ * 16 - 8) > reach) break;
    }
    return out;
  }

  /** Bedrock at y (0 always, 1-3 with falling chance, like vanilla's rough floor). */
  bedrockAt(x: number, y: number, z: number): boolean {
    if (y === 0) return true;
    if (y > 3) return false;
    return hash01(this.seed, x, z, SALT_BEDROCK + y) < (4 - y) / 5;
  }

  /** Depth of the dirt (or sand) layer under the surface block. */
  soilDepth(x: number, z: number): number {
    return 3 + Math.floor(hash01(this.seed, x, z, SALT_DIRT) * 2);
  }

  /** Ore veins of one chunk. Veins may reach into the next chunk; callers clip. */
  veinsOf(chunkX: number, chunkZ: number): Vein[] {
    const rng = new Random(Math.floor(hash01(this.seed, chunkX, chunkZ, SALT_ORE) * 4294967296));
    const veins: Vein[] = [];
    for (const rule of ORE_RULES) {
      for (let v = 0; v < rule.veins; v++) {
        let x = chunkX * 16 + rng.int(0, 15);
        let y = rng.int(rule.minY, rule.maxY);
        let z = chunkZ * 16 + rng.int(0, 15);
        const blocks: Array<[number, number, number]> = [];
        for (let i = 0; i < rule.size; i++) {
          if (y >= rule.minY && y <= rule.maxY) blocks.push([x, y, z]);
          const step = rng.int(0, 5);
          if (step === 0) x++; else if (step === 1) x--;
          else if (step === 2) y++; else if (step === 3) y--;
          else if (step === 4) z++; else z--;
        }
        veins.push({ ore: rule.ore, blocks });
      }
    }
    return veins;
  }

  /** Biome name for a column (minecraft-data names). */
  biomeAt(x: number, z: number): BiomeName {
    const c = this.columnAt(x, z);
    if (c.water >= 0) return 'river';
    const hot = this.climateAt(x, z);
    if (hot && (hot !== 'desert' || c.height > SEA_LEVEL + 1)) return hot;
    if (c.surface === 'sand') return 'beach';
    const wood = this.woodAt(x, z);
    if (wood === 'spruce') return 'taiga';
    if (wood === 'birch' && this.temperature.fbm(x / 220, z / 220, 2) > 0.22) return 'birch_forest';
    return this.treeDensity(x, z) > 0.02 ? 'forest' : 'plains';
  }

  private freeForNaturalFeature(x: number, z: number, margin: number): boolean {
    const { quarry, pond } = this.landmarks;
    if (Math.hypot(x - this.spawn.x, z - this.spawn.z) < margin) return false;
    if (Math.hypot(x - quarry.x, z - quarry.z) < quarry.radius + margin) return false;
    if (Math.hypot(x - pond.x, z - pond.z) < pond.radius + margin) return false;
    for (const t of this.landmarks.trees) if (Math.abs(t.x - x) < 4 && Math.abs(t.z - z) < 4) return false;
    return true;
  }

  /** Spiral out from the origin to dry, gentle grass land with dry land all around it. */
  private findSpawn(): { x: number; z: number } {
    for (let r = 0; r <= 400; r += 4) {
      const steps = r === 0 ? 1 : Math.ceil((2 * Math.PI * r) / 4);
      for (let i = 0; i < steps; i++) {
        const a = (2 * Math.PI * i) / steps;
        const x = Math.round(r * Math.cos(a));
        const z = Math.round(r * Math.sin(a));
        if (this.goodSpawn(x, z)) return { x, z };
      }
    }
    return { x: 0, z: 0 };
  }

  private goodSpawn(x: number, z: number): boolean {
    const h = this.baseHeight(x, z);
    if (h < SEA_LEVEL + 2 || h > 76 || this.rocky(x, z, h)) return false;
    for (let k = 0; k < 16; k++) {
      const a = (2 * Math.PI * k) / 16;
      for (const d of [4, 10, 18]) {
        const xx = Math.round(x + d * Math.cos(a));
        const zz = Math.round(z + d * Math.sin(a));
        const hh = this.baseHeight(xx, zz);
        if (hh < SEA_LEVEL + 2 || Math.abs(hh - h) > 3 + d / 3) return false;
      }
    }
    return true;
  }

  private placeLandmarks(): Landmarks {
    const rng = new Random(this.seed ^ 0x5eed);
    const sx = this.spawn.x;
    const sz = this.spawn.z;
    const a0 = rng.next() * 2 * Math.PI;
    const at = (angle: number, d: number) => ({ x: Math.round(sx + d * Math.cos(angle)), z: Math.round(sz + d * Math.sin(angle)) });
    const q = at(a0, 11);
    const quarry = { ...q, radius: 3 };
    const p = at(a0 + Math.PI, 15);
    const pondRadius = 3.5;
    let rim = Infinity;
    for (let k = 0; k < 24; k++) {
      const a = (2 * Math.PI * k) / 24;
      rim = Math.min(rim, this.baseHeight(Math.round(p.x + (pondRadius + 1.5) * Math.cos(a)), Math.round(p.z + (pondRadius + 1.5) * Math.sin(a))));
    }
    const pond = { ...p, radius: pondRadius, level: rim - 1 };
    const trees: Tree[] = [];
    const taken = (x: number, z: number) =>
      Math.hypot(x - q.x, z - q.z) < quarry.radius + 3 ||
      Math.hypot(x - p.x, z - p.z) < pondRadius + 3 ||
      Math.hypot(x - sx, z - sz) < 3 ||
      trees.some((t) => Math.abs(t.x - x) < 4 && Math.abs(t.z - z) < 4);
    const plant = (wood: WoodType, count: number, around: number, dMin: number, dMax: number) => {
      let placed = 0;
      for (let tries = 0; tries < 300 && placed < count; tries++) {
        // Widen the search (all around, further out) when the preferred arc is rocky or wet.
        const spread = tries < 60 ? Math.PI : 2 * Math.PI;
        const extra = tries < 60 ? 0 : Math.min(10, (tries - 60) / 20);
        const pos = at(around + (rng.next() - 0.5) * spread, dMin + rng.next() * (dMax - dMin + extra));
        if (taken(pos.x, pos.z)) continue;
        const h = this.baseHeight(pos.x, pos.z);
        if (h <= SEA_LEVEL + 1 || this.rocky(pos.x, pos.z, h)) continue;
        trees.push({ x: pos.x, z: pos.z, y: h + 1, wood, trunk: trunkHeight(wood, rng.next()) });
        placed++;
      }
    };
    plant('oak', 4, a0 + Math.PI / 2, 5, 9);
    plant('birch', 2, a0 - Math.PI / 2, 14, 20);
    plant('spruce', 2, a0 - Math.PI / 2, 18, 24);
    return { quarry, pond, trees };
  }
}

function trunkHeight(wood: WoodType, r: number): number {
  if (wood === 'jungle') return 7 + Math.floor(r * 4);
  if (wood === 'acacia') return 5 + Math.floor(r * 2);
  if (wood === 'spruce') return 6 + Math.floor(r * 3);
  if (wood === 'birch') return 5 + Math.floor(r * 3);
  return 4 + Math.floor(r * 3);
}

/**
 * The blocks of one tree, relative to nothing: absolute positions with 'log' or 'leaves'. Leaves
 * never replace logs; the generator only writes leaves into air.
 */
export function treeBlocks(t: Tree, seed: number): Array<[number, number, number, 'log' | 'leaves']> {
  const out: Array<[number, number, number, 'log' | 'leaves']> = [];
  const top = t.y + t.trunk - 1;
  for (let y = t.y; y <= top; y++) out.push([t.x, y, t.z, 'log']);
  const leaf = (x: number, y: number, z: number) => out.push([x, y, z, 'leaves']);
  if (t.wood === 'acacia') {
    // Vanilla's acacia: the top of the trunk leans two blocks one way, under a flat, wide crown.
    out.length = 0;
    const dirs = [[1, 1], [1, -1], [-1, 1], [-1, -1]] as const;
    const [lx, lz] = dirs[Math.floor(hash01(seed, t.x, t.z, 7) * 4)]!;
    const straight = t.trunk - 2;
    for (let y = t.y; y < t.y + straight; y++) out.push([t.x, y, t.z, 'log']);
    const cx = t.x + 2 * lx;
    const cz = t.z + 2 * lz;
    out.push([t.x + lx, t.y + straight, t.z + lz, 'log']);
    out.push([cx, t.y + straight + 1, cz, 'log']);
    const cy = t.y + straight + 2;
    for (let dx = -3; dx <= 3; dx++) {
      for (let dz = -3; dz <= 3; dz++) {
        if (Math.abs(dx) + Math.abs(dz) > 4) continue;
        leaf(cx + dx, cy, cz + dz);
        if (Math.abs(dx) + Math.abs(dz) <= 1) leaf(cx + dx, cy + 1, cz + dz);
      }
    }
    return out;
  }
  if (t.wood === 'spruce') {
    leaf(t.x, top + 1, t.z);
    leaf(t.x, top + 2, t.z);
    let r = 1;
    for (let y = top; y >= t.y + 2; y--) {
      for (let dx = -r; dx <= r; dx++) {
        for (let dz = -r; dz <= r; dz++) {
          if (Math.abs(dx) === r && Math.abs(dz) === r && r > 0) continue;
          if (dx !== 0 || dz !== 0) leaf(t.x + dx, y, t.z + dz);
        }
      }
      r = r === 1 ? 2 : 1;
    }
    return out;
  }
  for (let y = top - 2; y <= top + 1; y++) {
    const r = y >= top ? 1 : 2;
    for (let dx = -r; dx <= r; dx++) {
      for (let dz = -r; dz <= r; dz++) {
        if (dx === 0 && dz === 0 && y <= top) continue;
        const corner = Math.abs(dx) === r && Math.abs(dz) === r;
        if (corner && (y === top + 1 || hash01(seed, t.x + dx, t.z + dz, y) < 0.5)) continue;
        leaf(t.x + dx, y, t.z + dz);
      }
    }
  }
  return out;
}
