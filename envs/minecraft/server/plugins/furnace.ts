/**
 * Furnaces for flying-squid: right-clicking a placed furnace opens the furnace window (0 input,
 * 1 fuel, 2 output); the furnace burns fuel and cooks with vanilla 1.16 rules and timings: 200 ticks
 * (10 s) per item, coal 1600 ticks, planks and logs 300, and so on. Blast furnaces (ores, metal
 * gear) and smokers (food) work the same at twice the speed, burning fuel twice as fast; progress goes to open windows as
 * window properties 0-3 (fuel left, fuel total, cook progress, cook total), the block shows `lit`
 * while burning, and taking the output grants the stored experience. Furnaces keep cooking with
 * nobody watching. Tests may speed time up with the server option `furnaceSpeed` (furnace ticks per
 * server tick, default 1 = real game speed).
 *
 * @example
 * serv.addPlugin('furnace', furnacePlugin);
 * // mineflayer: const f = await bot.openFurnace(block); await f.putFuel(coal, null, 1); ...
 */
import type { Item } from 'prismarine-item';
import { ContainerMenu, containersOf, type ContainerEntry } from './containers.js';
import { blockStateId, decodeState, onBlockUse, sameKind, vec3, whenReady, windowsOf, withCount, type SlotRule, type SquidPlayer, type SquidPlugin, type SquidServer } from './windows.js';

export const COOK_TICKS = 200;
const INPUT = 0;
const FUEL = 1;
const OUTPUT = 2;

/** Smelting results of vanilla 1.16 furnaces: input -> [output, experience]. */
const SMELTING: Record<string, [string, number]> = {
  iron_ore: ['iron_ingot', 0.7],
  gold_ore: ['gold_ingot', 1],
  nether_gold_ore: ['gold_ingot', 1],
  diamond_ore: ['diamond', 1],
  emerald_ore: ['emerald', 1],
  lapis_ore: ['lapis_lazuli', 0.2],
  redstone_ore: ['redstone', 0.7],
  coal_ore: ['coal', 0.1],
  nether_quartz_ore: ['quartz', 0.2],
  ancient_debris: ['netherite_scrap', 2],
  sand: ['glass', 0.1],
  red_sand: ['glass', 0.1],
  cobblestone: ['stone', 0.1],
  stone: ['smooth_stone', 0.1],
  sandstone: ['smooth_sandstone', 0.1],
  red_sandstone: ['smooth_red_sandstone', 0.1],
  quartz_block: ['smooth_quartz', 0.1],
  stone_bricks: ['cracked_stone_bricks', 0.1],
  nether_bricks: ['cracked_nether_bricks', 0.1],
  polished_blackstone_bricks: ['cracked_polished_blackstone_bricks', 0.1],
  clay_ball: ['brick', 0.3],
  clay: ['terracotta', 0.35],
  netherrack: ['nether_brick', 0.1],
  cactus: ['green_dye', 1],
  sea_pickle: ['lime_dye', 0.1],
  kelp: ['dried_kelp', 0.1],
  wet_sponge: ['sponge', 0.15],
  chorus_fruit: ['popped_chorus_fruit', 0.1],
  porkchop: ['cooked_porkchop', 0.35],
  beef: ['cooked_beef', 0.35],
  chicken: ['cooked_chicken', 0.35],
  cod: ['cooked_cod', 0.35],
  salmon: ['cooked_salmon', 0.35],
  mutton: ['cooked_mutton', 0.35],
  rabbit: ['cooked_rabbit', 0.35],
  potato: ['baked_potato', 0.35],
};
const COLORS = ['white', 'orange', 'magenta', 'light_blue', 'yellow', 'lime', 'pink', 'gray', 'light_gray', 'cyan', 'purple', 'blue', 'brown', 'green', 'red', 'black'];
const OVERWORLD_WOODS = ['oak', 'spruce', 'birch', 'jungle', 'acacia', 'dark_oak'];

/** What `name` smelts into in a furnace, with the experience it stores. */
export function smeltingResult(name: string): [string, number] | null {
  if (SMELTING[name]) return SMELTING[name];
  for (const c of COLORS) if (name === `${c}_terracotta`) return [`${c}_glazed_terracotta`, 0.1];
  for (const w of OVERWORLD_WOODS) {
    if ([`${w}_log`, `${w}_wood`, `stripped_${w}_log`, `stripped_${w}_wood`].includes(name)) return ['charcoal', 0.15];
  }
  const metal = /^(iron|golden|chainmail)_(pickaxe|shovel|axe|hoe|sword|helmet|chestplate|leggings|boots|horse_armor)$/.exec(name);
  if (metal) return [metal[1] === 'golden' ? 'gold_nugget' : 'iron_nugget', 0.1];
  return null;
}

/** The three furnace-like blocks: blast furnaces and smokers cook (and burn fuel) twice as fast. */
export interface FurnaceKind {
  block: string;
  window: string;
  title: string;
  cookTicks: number;
  burnDivisor: number;
  accepts(input: string): boolean;
}
const FOODS = new Set(['porkchop', 'beef', 'chicken', 'cod', 'salmon', 'mutton', 'rabbit', 'potato', 'kelp']);
export const FURNACE_KINDS: Record<string, FurnaceKind> = {
  furnace: { block: 'furnace', window: 'minecraft:furnace', title: 'container.furnace', cookTicks: COOK_TICKS, burnDivisor: 1, accepts: () => true },
  blast_furnace: {
    block: 'blast_furnace',
    window: 'minecraft:blast_furnace',
    title: 'container.blast_furnace',
    cookTicks: COOK_TICKS / 2,
    burnDivisor: 2,
    accepts: (name) => name.endsWith('_ore') || name === 'ancient_debris' || /_nugget$/.test(smeltingResult(name)?.[0] ?? ''),
  },
  smoker: { block: 'smoker', window: 'minecraft:smoker', title: 'container.smoker', cookTicks: COOK_TICKS / 2, burnDivisor: 2, accepts: (name) => FOODS.has(name) },
};

/** What `name` becomes in a furnace of `kind` (blast furnaces take ores and metal, smokers food). */
export function smeltingResultIn(kind: string, name: string): [string, number] | null {
  const k = FURNACE_KINDS[kind] ?? FURNACE_KINDS.furnace;
  return k.accepts(name) ? smeltingResult(name) : null;
}

const FUEL_TICKS: Record<string, number> = {
  lava_bucket: 20000,
  coal_block: 16000,
  dried_kelp_block: 4001,
  blaze_rod: 2400,
  coal: 1600,
  charcoal: 1600,
  scaffolding: 400,
  bookshelf: 300,
  lectern: 300,
  note_block: 300,
  jukebox: 300,
  chest: 300,
  trapped_chest: 300,
  crafting_table: 300,
  daylight_detector: 300,
  bow: 300,
  crossbow: 300,
  fishing_rod: 300,
  ladder: 300,
  loom: 300,
  barrel: 300,
  cartography_table: 300,
  fletching_table: 300,
  smithing_table: 300,
  composter: 300,
  stick: 100,
  bowl: 100,
  dead_bush: 100,
  bamboo: 50,
};

/** Burn time of a fuel item in ticks (vanilla 1.16 values), 0 when it does not burn. */
export function fuelTicks(name: string): number {
  if (FUEL_TICKS[name]) return FUEL_TICKS[name];
  if (/^(crimson|warped)_/.test(name)) return 0; // nether wood does not burn
  if (/_boat$/.test(name)) return 1200;
  if (/(_log|_wood|_planks|_stairs|_fence|_fence_gate|_trapdoor|_pressure_plate)$/.test(name) && isWooden(name)) return 300;
  if (/_banner$/.test(name)) return 300;
  if (/_slab$/.test(name) && isWooden(name)) return 150;
  if (/(_door|_sign)$/.test(name) && isWooden(name)) return 200;
  if (/^wooden_(pickaxe|shovel|axe|hoe|sword)$/.test(name)) return 200;
  if (/_button$/.test(name) && isWooden(name)) return 100;
  if (/_sapling$/.test(name) || /_wool$/.test(name)) return 100;
  if (/_carpet$/.test(name)) return 67;
  return 0;
}
function isWooden(name: string): boolean {
  return OVERWORLD_WOODS.some((w) => name.startsWith(`${w}_`) || name.startsWith(`stripped_${w}_`));
}

/** The furnace window: 0 input, 1 fuel, 2 output, 3-38 the player's inventory; properties 0-3. */
export class FurnaceMenu extends ContainerMenu {
  readonly typeName: string;
  private sent: number[] = [];
  private stopResending: (() => void) | null = null;
  constructor(entry: ContainerEntry) {
    super(entry);
    this.typeName = (FURNACE_KINDS[entry.kind] ?? FURNACE_KINDS.furnace).window;
  }
  /**
   * mineflayer's openFurnace starts listening for window properties only after its window-open
   * promise settles; when the server is slow, the window items and the first properties arrive in one
   * read, the properties are lost, and the client never learns the cook total (its `progress` stays 0
   * for good, since unchanged properties were never sent again). A slot change means the client is
   * working in the window (or cooking moved items), so all four properties go out again next tick.
   */
  override attach(): void {
    super.attach();
    this.stopResending ??= this.entry.slots.subscribe(() => {
      this.sent = [];
    });
  }
  override onClose(player: SquidPlayer): void {
    super.onClose(player);
    this.stopResending?.();
    this.stopResending = null;
  }
  override rule(slot: number): SlotRule {
    if (slot === FUEL) return { mayPlace: (it) => fuelTicks(it.name) > 0 || it.name === 'bucket' };
    if (slot === OUTPUT) return { output: { takeAll: false } };
    return {};
  }
  /**
   * Send the properties that changed since last time. The first call sends all four; it runs on the
   * tick after opening (as vanilla does), so clients that listen once the window is open get them.
   */
  pushProperties(): void {
    const d = this.entry.data;
    const now = [d.litTime ?? 0, d.litDuration ?? 0, d.cookProgress ?? 0, d.cookTotal ?? (FURNACE_KINDS[this.entry.kind] ?? FURNACE_KINDS.furnace).cookTicks];
    now.forEach((v, i) => {
      if (this.sent[i] !== v) this.viewer?.sendProperty(this, i, v);
    });
    this.sent = now;
  }
  override onTake(slot: number, taken: Item, player: SquidPlayer): void {
    if (slot !== OUTPUT) return;
    // Experience stored by smelting is paid out when the output is taken.
    const xp = this.entry.data.xp ?? 0;
    const whole = Math.floor(xp);
    const award = whole + (Math.random() < xp - whole ? 1 : 0);
    this.entry.data.xp = 0;
    if (award > 0 && typeof player.setXp === 'function') player.setXp((player.xp ?? 0) + award);
    void taken;
  }
  quickMoveTargets(slot: number, item: Item): Array<[number, number, boolean]> {
    if (slot === OUTPUT) return [[3, 39, true]];
    if (slot < 3) return [[3, 39, false]];
    if (smeltingResultIn(this.entry.kind, item.name)) return [[INPUT, INPUT + 1, false]];
    if (fuelTicks(item.name) > 0) return [[FUEL, FUEL + 1, false]];
    return slot < 30 ? [[30, 39, false]] : [[3, 30, false]];
  }
}

/** Furnace timers kept in `entry.data` (names follow the vanilla block entity). */
interface FurnaceData {
  litTime: number;
  litDuration: number;
  cookProgress: number;
  cookTotal: number;
  xp: number;
}

/** One vanilla furnace tick. Returns true when the lit state flipped. */
export function furnaceTick(serv: SquidServer, entry: ContainerEntry): boolean {
  const d = entry.data as unknown as FurnaceData;
  const kind = FURNACE_KINDS[entry.kind] ?? FURNACE_KINDS.furnace;
  d.litTime ??= 0;
  d.litDuration ??= 0;
  d.cookProgress ??= 0;
  d.cookTotal ??= kind.cookTicks;
  d.xp ??= 0;
  const slots = entry.slots;
  const wasLit = d.litTime > 0;
  if (d.litTime > 0) d.litTime--;
  const input = slots.get(INPUT);
  const fuel = slots.get(FUEL);
  const recipe = input ? smeltingResultIn(entry.kind, input.name) : null;
  const outDef = recipe ? serv.registry.itemsByName[recipe[0]] : null;
  const canBurn = (): boolean => {
    if (!input || !outDef) return false;
    const out = slots.get(OUTPUT);
    if (!out) return true;
    return out.type === outDef.id && out.count + 1 <= out.stackSize;
  };
  if (d.litTime > 0 || (fuel && input)) {
    if (d.litTime <= 0 && canBurn() && fuel) {
      d.litTime = Math.floor(fuelTicks(fuel.name) / kind.burnDivisor);
      d.litDuration = d.litTime;
      if (d.litTime > 0) {
        if (fuel.count > 1) slots.set(FUEL, withCount(serv, fuel, fuel.count - 1));
        else if (fuel.name === 'lava_bucket') slots.set(FUEL, new (fuel.constructor as typeof Item)(serv.registry.itemsByName.bucket.id, 1));
        else slots.set(FUEL, null);
      }
    }
    if (d.litTime > 0 && canBurn()) {
      d.cookProgress++;
      if (d.cookProgress >= d.cookTotal) {
        d.cookProgress = 0;
        d.cookTotal = kind.cookTicks;
        const out = slots.get(OUTPUT);
        const Cls = input!.constructor as typeof Item;
        slots.set(OUTPUT, out ? withCount(serv, out, out.count + 1) : new Cls(outDef!.id, 1));
        slots.set(INPUT, withCount(serv, input!, input!.count - 1));
        d.xp += recipe![1];
      }
    } else {
      d.cookProgress = 0;
    }
  } else if (d.cookProgress > 0) {
    d.cookProgress = Math.max(0, Math.min(d.cookTotal, d.cookProgress - 2));
  }
  return wasLit !== d.litTime > 0;
}

/** Set the `lit` property of the furnace block at an entry's position. */
async function showLit(serv: SquidServer, entry: ContainerEntry, lit: boolean): Promise<void> {
  const world = containersOf(serv).worldOf(entry.dimension);
  const pos = vec3(entry.position.x, entry.position.y, entry.position.z);
  const block = await world.getBlock(pos);
  const def = serv.registry.blocksByName[entry.blockName];
  if (!def || !block || block.type !== def.id || !def.states) return;
  const stateId = blockStateId(serv, entry.blockName, { ...decodeState(serv, block.stateId), lit });
  if (stateId !== block.stateId) await serv.setBlock(world, pos, stateId);
}

/** The furnace plugin. */
const furnacePlugin: SquidPlugin = {
  server(serv: SquidServer, settings: { worldFolder?: string; furnaceSpeed?: number }) {
    const containers = containersOf(serv, settings);
    const speed = Math.max(1, Math.floor(Number(settings?.furnaceSpeed ?? 1)) || 1);
    const watched = new WeakSet<ContainerEntry>();
    for (const kind of Object.values(FURNACE_KINDS)) {
      if (!serv.registry.blocksByName[kind.block]) continue;
      onBlockUse(serv, kind.block, ({ block, player }) => {
        const entry = containers.get(player.world, block.position, kind.block, 3, kind.block);
        if (!watched.has(entry)) {
          watched.add(entry);
          // A different item in the input slot starts cooking from zero, as in vanilla.
          let last = entry.slots.get(INPUT);
          entry.slots.subscribe((slot) => {
            if (slot !== INPUT) return;
            const now = entry.slots.get(INPUT);
            if (!sameKind(now, last)) {
              entry.data.cookProgress = 0;
              entry.data.cookTotal = kind.cookTicks;
            }
            last = now;
          });
        }
        const menu = new FurnaceMenu(entry);
        menu.anchor = { world: player.world, position: block.position, blockNames: [kind.block] };
        windowsOf(player, serv).open(menu, { translate: kind.title });
        return true;
      });
    }
    whenReady(serv, () => {
      serv.on('tick', () => {
        for (const entry of containers.all().filter((e) => FURNACE_KINDS[e.kind])) {
          const d = entry.data;
          const idle = !(d.litTime > 0) && !(d.cookProgress > 0) && !(entry.slots.get(INPUT) && entry.slots.get(FUEL));
          if (!idle) {
            let flipped = false;
            for (let i = 0; i < speed; i++) flipped = furnaceTick(serv, entry) !== flipped;
            if (flipped) void showLit(serv, entry, d.litTime > 0).catch((err) => serv.emit('error', err));
          }
          for (const menu of entry.menus) if (menu instanceof FurnaceMenu) menu.pushProperties();
        }
      });
    });
  },
  player(player, serv) {
    windowsOf(player, serv);
  },
};
export default furnacePlugin;
