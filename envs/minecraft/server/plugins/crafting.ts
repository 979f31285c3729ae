/**
 * Crafting for flying-squid over the real protocol: the 2×2 grid of the player inventory (window 0)
 * and the 3×3 crafting-table window opened by right-clicking a placed crafting_table. Recipes are
 * minecraft-data's shaped and shapeless recipes for the server version; a shaped recipe also matches
 * mirrored left to right, as in vanilla. Taking the result consumes one item from every grid cell
 * (buckets and bottles stay behind); shift-clicking the result crafts as many as fit.
 *
 * @example
 * serv.addPlugin('crafting', craftingPlugin); // then mineflayer: await bot.craft(recipe, 1, table)
 */
import type { Item } from 'prismarine-item';
import {
  InventoryMenu,
  Menu,
  giveOrDrop,
  installWindows,
  itemClass,
  onBlockUse,
  sameStack,
  shared,
  windowsOf,
  type SlotRule,
  type SquidPlayer,
  type SquidPlugin,
  type SquidServer,
  type Stack,
} from './windows.js';

type Cell = number | null;
/** One crafting recipe, normalized from minecraft-data (shapes trimmed to their bounding box). */
export interface CraftingRecipe {
  result: { id: number; count: number };
  /** Rows of item ids (null = empty) for shaped recipes. */
  shape?: Cell[][];
  /** What stays in each cell after crafting (cake leaves buckets), same layout as `shape`. */
  remainder?: Cell[][];
  /** Item ids for shapeless recipes, one entry per item. */
  ingredients?: number[];
  /**
   * For a shaped recipe merged from minecraft-data's one-variant-per-wood-type copies: the ids each
   * cell accepts, so mixed planks work as with vanilla's #planks tag.
   */
  accept?: Array<Array<Set<number> | null>>;
}
/** Items that leave a container behind when used in a recipe (vanilla's crafting remainders). */
const REMAINDER_BY_NAME: Record<string, string> = {
  milk_bucket: 'bucket',
  water_bucket: 'bucket',
  lava_bucket: 'bucket',
  honey_bottle: 'glass_bottle',
  dragon_breath: 'glass_bottle',
};

/** Stands for "any planks" in merged recipes' index keys. */
const PLANKS = -2;

function cellId(x: unknown): Cell {
  if (x === null || x === undefined) return null;
  if (typeof x === 'number') return x < 0 ? null : x;
  if (typeof x === 'object' && typeof (x as { id?: unknown }).id === 'number') return cellId((x as { id: number }).id);
  return null;
}

function trim(shape: Cell[][], also?: Cell[][]): { shape: Cell[][]; remainder?: Cell[][] } {
  const width = Math.max(...shape.map((r) => r.length));
  const rows = shape.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? null));
  const rem = also?.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? null));
  let top = 0;
  let bottom = rows.length - 1;
  while (top <= bottom && rows[top].every((c) => c === null)) top++;
  while (bottom >= top && rows[bottom].every((c) => c === null)) bottom--;
  let left = 0;
  let right = width - 1;
  const colEmpty = (x: number) => rows.slice(top, bottom + 1).every((r) => r[x] === null);
  while (left <= right && colEmpty(left)) left++;
  while (right >= left && colEmpty(right)) right--;
  const cut = (g: Cell[][]) => g.slice(top, bottom + 1).map((r) => r.slice(left, right + 1));
  return { shape: cut(rows), remainder: rem ? cut(rem) : undefined };
}

/** All crafting recipes of a version, indexed by the set of distinct item ids they use. */
export class RecipeBook {
  private readonly byKey = new Map<string, CraftingRecipe[]>();
  /** Merged recipes, indexed by distinct ids with every plank as PLANKS. */
  private readonly byFamilyKey = new Map<string, CraftingRecipe[]>();
  private readonly planks = new Set<number>();
  private readonly remainderIds = new Map<number, number>();
  readonly size: number;

  constructor(registry: any) {
    let n = 0;
    for (const item of registry.itemsArray as Array<{ id: number; name: string }>) if (item.name.endsWith('_planks')) this.planks.add(item.id);
    const shaped: CraftingRecipe[] = [];
    for (const list of Object.values(registry.recipes ?? {}) as any[][]) {
      for (const raw of list) {
        const result = { id: raw.result.id as number, count: (raw.result.count as number) ?? 1 };
        let recipe: CraftingRecipe;
        if (raw.inShape) {
          const inShape: Cell[][] = raw.inShape.map((row: unknown[]) => row.map(cellId));
          const outShape: Cell[][] | undefined = raw.outShape?.map((row: unknown[]) => row.map(cellId));
          const t = trim(inShape, outShape);
          if (t.shape.length === 0) continue;
          recipe = { result, shape: t.shape, remainder: t.remainder };
        } else if (raw.ingredients) {
          const ingredients = (raw.ingredients as unknown[]).map(cellId).filter((c): c is number => c !== null);
          if (ingredients.length === 0) continue;
          recipe = { result, ingredients };
        } else continue;
        const key = RecipeBook.key(recipe.shape ? recipe.shape.flat() : recipe.ingredients!);
        let bucket = this.byKey.get(key);
        if (!bucket) this.byKey.set(key, (bucket = []));
        bucket.push(recipe);
        if (recipe.shape) shaped.push(recipe);
        n++;
      }
    }
    this.size = n;
    this.mergePlankVariants(shaped);
    for (const [from, to] of Object.entries(REMAINDER_BY_NAME)) {
      const a = registry.itemsByName[from];
      const b = registry.itemsByName[to];
      if (a && b) this.remainderIds.set(a.id, b.id);
    }
  }

  private family(id: Cell): Cell {
    return id !== null && this.planks.has(id) ? PLANKS : id;
  }

  /**
   * minecraft-data lists a recipe that takes any planks once per wood type. Variants that differ only
   * in which planks they use are merged into one recipe whose plank cells accept any of those types.
   */
  private mergePlankVariants(shaped: CraftingRecipe[]): void {
    const groups = new Map<string, CraftingRecipe[]>();
    for (const r of shaped) {
      if (!r.shape!.flat().some((c) => c !== null && this.planks.has(c))) continue;
      const generic = r.shape!.map((row) => row.map((c) => this.family(c)));
      const key = JSON.stringify([r.result, generic, r.remainder ?? null]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(r);
    }
    for (const variants of groups.values()) {
      if (variants.length < 2) continue;
      const first = variants[0];
      const accept = first.shape!.map((row, y) =>
        row.map((c, x) => (c === null ? null : new Set(variants.map((v) => v.shape![y][x] as number)))),
      );
      const merged: CraftingRecipe = { result: first.result, shape: first.shape, remainder: first.remainder, accept };
      const key = RecipeBook.key(first.shape!.flat().map((c) => this.family(c)));
      let bucket = this.byFamilyKey.get(key);
      if (!bucket) this.byFamilyKey.set(key, (bucket = []));
      bucket.push(merged);
    }
  }

  private static key(ids: Cell[]): string {
    return [...new Set(ids.filter((c): c is number => c !== null))].sort((a, b) => a - b).join(',');
  }

  /** Find the recipe a `width`×`height` grid (row-major item ids, null = empty) makes, if any. */
  match(grid: Cell[], width: number, height: number): { recipe: CraftingRecipe; leftovers: Cell[] } | null {
    const candidates = [...(this.byKey.get(RecipeBook.key(grid)) ?? []), ...(this.byFamilyKey.get(RecipeBook.key(grid.map((c) => this.family(c)))) ?? [])];
    if (candidates.length === 0) return null;
    let minX = width;
    let maxX = -1;
    let minY = height;
    let maxY = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (grid[y * width + x] === null) continue;
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
    if (maxX < 0) return null;
    const w = maxX - minX + 1;
    const h = maxY - minY + 1;
    const filled = grid.filter((c) => c !== null) as number[];
    for (const recipe of candidates) {
      if (recipe.shape) {
        if (recipe.shape.length !== h || recipe.shape[0].length !== w) continue;
        for (const mirrored of [false, true]) {
          let ok = true;
          for (let y = 0; y < h && ok; y++) {
            for (let x = 0; x < w && ok; x++) {
              const at = mirrored ? w - 1 - x : x;
              const got = grid[(minY + y) * width + minX + x];
              const accept = recipe.accept?.[y][at];
              if (accept !== undefined ? (accept === null ? got !== null : got === null || !accept.has(got)) : got !== recipe.shape[y][at]) ok = false;
            }
          }
          if (!ok) continue;
          const leftovers: Cell[] = grid.map((id) => (id === null ? null : (this.remainderIds.get(id) ?? null)));
          if (recipe.remainder) {
            for (let y = 0; y < h; y++) {
              for (let x = 0; x < w; x++) {
                const r = recipe.remainder[y]?.[mirrored ? w - 1 - x : x] ?? null;
                if (r !== null) leftovers[(minY + y) * width + minX + x] = r;
              }
            }
          }
          return { recipe, leftovers };
        }
      } else if (recipe.ingredients && recipe.ingredients.length === filled.length) {
        const a = [...recipe.ingredients].sort((p, q) => p - q);
        const b = [...filled].sort((p, q) => p - q);
        if (a.every((v, i) => v === b[i])) {
          return { recipe, leftovers: grid.map((id) => (id === null ? null : (this.remainderIds.get(id) ?? null))) };
        }
      }
    }
    return null;
  }
}

/** The recipe book of a server's version (built once per server). */
export function recipeBook(serv: SquidServer): RecipeBook {
  return shared(serv, 'recipes', () => new RecipeBook(serv.registry));
}

/**
 * Grid logic shared by both crafting windows: `cells` are the window slots of the grid in row-major
 * order, slot `resultSlot` shows what they make.
 */
class CraftingGrid {
  constructor(
    private readonly serv: SquidServer,
    private readonly get: (slot: number) => Stack,
    private readonly set: (slot: number, item: Stack) => void,
    private readonly resultSlot: number,
    private readonly cells: number[],
    private readonly width: number,
  ) {}

  private current(): { recipe: CraftingRecipe; leftovers: Cell[] } | null {
    const ids = this.cells.map((s) => this.get(s)?.type ?? null);
    return recipeBook(this.serv).match(ids, this.width, this.cells.length / this.width);
  }

  /** Show the grid's result in the result slot. */
  update(): void {
    const m = this.current();
    const Cls = itemClass(this.serv);
    const result = m ? new Cls(m.recipe.result.id, m.recipe.result.count) : null;
    if (!sameStack(result, this.get(this.resultSlot))) this.set(this.resultSlot, result);
  }

  /** The result was taken: use up one item per cell, leave remainders, show the next result. */
  consume(): void {
    const m = this.current();
    const Cls = itemClass(this.serv);
    this.cells.forEach((slot, i) => {
      const item = this.get(slot);
      if (!item) return;
      const left = m?.leftovers[i] ?? null;
      if (item.count > 1) {
        this.set(slot, new Cls(item.type, item.count - 1, item.metadata, item.nbt ?? undefined));
        // A remainder that cannot share the cell goes to the inventory, as in vanilla.
        if (left !== null) giveOrDrop(this.serv, this.player(), new Cls(left, 1));
      } else {
        this.set(slot, left !== null ? new Cls(left, 1) : null);
      }
    });
    this.update();
  }

  playerRef: SquidPlayer | null = null;
  private player(): SquidPlayer {
    return this.playerRef!;
  }
}

/** The crafting-table window: slot 0 result, 1-9 the 3×3 grid, 10-45 the player's inventory. */
export class CraftingTableMenu extends Menu {
  readonly typeName = 'minecraft:crafting';
  readonly containerSize = 10;
  private readonly slots: Stack[] = new Array<Stack>(10).fill(null);
  private readonly grid: CraftingGrid;

  constructor(
    readonly serv: SquidServer,
    readonly player: SquidPlayer,
  ) {
    super();
    this.grid = new CraftingGrid(serv, (s) => this.slots[s], (s, it) => this.setContainer(s, it), 0, [1, 2, 3, 4, 5, 6, 7, 8, 9], 3);
    this.grid.playerRef = player;
  }
  getContainer(slot: number): Stack {
    return this.slots[slot] ?? null;
  }
  setContainer(slot: number, item: Stack): void {
    if (item) item.slot = slot;
    this.slots[slot] = item;
    this.viewer?.containerSlotChanged(this, slot);
  }
  override rule(slot: number): SlotRule {
    return slot === 0 ? { output: { takeAll: true } } : {};
  }
  override onTake(slot: number): void {
    if (slot === 0) this.grid.consume();
  }
  override afterClick(): void {
    this.grid.update();
  }
  quickMoveTargets(slot: number): Array<[number, number, boolean]> {
    if (slot === 0) return [[10, 46, true]];
    if (slot < 10) return [[10, 46, false]];
    return slot < 37 ? [[1, 10, false], [37, 46, false]] : [[1, 10, false], [10, 37, false]];
  }
  override onClose(player: SquidPlayer): void {
    this.slots[0] = null;
    for (let s = 1; s <= 9; s++) {
      const it = this.slots[s];
      this.slots[s] = null;
      if (it) giveOrDrop(this.serv, player, it);
    }
  }
}

/** Give a player's inventory window its 2×2 crafting grid. */
function installInventoryCrafting(player: SquidPlayer, serv: SquidServer): void {
  const windows = installWindows(player, serv);
  const menu: InventoryMenu = windows.inventory;
  if (menu.crafting) return;
  let grid: CraftingGrid | null = null;
  const gridOf = (m: InventoryMenu) => {
    if (!grid) {
      grid = new CraftingGrid(serv, (s) => m.getContainer(s), (s, it) => m.setContainer(s, it), 0, [1, 2, 3, 4], 2);
      grid.playerRef = player;
    }
    return grid;
  };
  menu.crafting = {
    update: (m) => gridOf(m).update(),
    take: (m) => gridOf(m).consume(),
  };
}

/** The crafting plugin: 2×2 inventory crafting for every player, 3×3 at crafting tables. */
const craftingPlugin: SquidPlugin = {
  server(serv) {
    recipeBook(serv);
    onBlockUse(serv, 'crafting_table', ({ block, player }) => {
      const menu = new CraftingTableMenu(serv, player);
      menu.anchor = { world: player.world, position: block.position, blockNames: ['crafting_table'] };
      windowsOf(player, serv).open(menu, { translate: 'container.crafting' });
      return true;
    });
  },
  player(player, serv) {
    installInventoryCrafting(player, serv);
  },
};
export default craftingPlugin;
