/**
 * Harvest rules: what a dug block drops, given the tool in hand, as in vanilla survival.
 *
 * flying-squid 1.12 drops every entry of a block's loot table whatever the player holds (stone
 * by hand gives cobblestone, leaves give leaves + sapling + stick + apple every time). This plugin
 * rewrites the drops of its `dug` behaviour from minecraft-data:
 * - `harvestTools`: a block that lists tools drops nothing unless one of them is held (stone needs
 *   a pickaxe, iron ore a stone pickaxe or better, diamond ore an iron pickaxe or better);
 * - `blockLoot`: entries marked silkTouch/noSilkTouch are alternatives (exactly one of the branch
 *   that applies drops, weighted by dropChance: coal ore gives coal, gravel gives flint or gravel);
 *   unmarked entries drop independently with their chance and stackSizeRange. A leaf block's own
 *   item, and a plant's where its loot lists something else too (grass: seeds), is a shears drop,
 *   so it is left out; cactus, sugar cane, bamboo and flowers drop themselves.
 * - leaves: minecraft-data gives stick and apple a chance of 1; vanilla's rates are used instead
 *   (LEAF_DROPS).
 * Randomness is seeded from the world seed, so a replayed run drops the same items.
 *
 * flying-squid does not enforce dig time (its check compares against bare-hand time and then
 * ignores the answer), so a client digging faster with the right tool is accepted; mineflayer
 * computes the vanilla time client-side.
 */
import { Vec3 } from 'vec3';
import { Random } from '../../../../core/random.js';
import type { SquidPlayer, SquidPlugin, SquidServer, SquidSettings } from '../plugin.js';

interface LootEntry {
  item: string;
  dropChance: number;
  stackSizeRange: [number, number?];
  silkTouch?: boolean;
  noSilkTouch?: boolean;
}

/** Vanilla 1.16 leaf drops without shears or silk touch (sapling 1/20, stick 1/50 x1-2, apple 1/200). */
export const LEAF_DROPS: Readonly<Record<string, ReadonlyArray<{ item: string; chance: number; min: number; max: number }>>> = {
  oak_leaves: [
    { item: 'oak_sapling', chance: 0.05, min: 1, max: 1 },
    { item: 'stick', chance: 0.02, min: 1, max: 2 },
    { item: 'apple', chance: 0.005, min: 1, max: 1 },
  ],
  dark_oak_leaves: [
    { item: 'dark_oak_sapling', chance: 0.05, min: 1, max: 1 },
    { item: 'stick', chance: 0.02, min: 1, max: 2 },
    { item: 'apple', chance: 0.005, min: 1, max: 1 },
  ],
  birch_leaves: [{ item: 'birch_sapling', chance: 0.05, min: 1, max: 1 }, { item: 'stick', chance: 0.02, min: 1, max: 2 }],
  spruce_leaves: [{ item: 'spruce_sapling', chance: 0.05, min: 1, max: 1 }, { item: 'stick', chance: 0.02, min: 1, max: 2 }],
  acacia_leaves: [{ item: 'acacia_sapling', chance: 0.05, min: 1, max: 1 }, { item: 'stick', chance: 0.02, min: 1, max: 2 }],
  jungle_leaves: [{ item: 'jungle_sapling', chance: 0.025, min: 1, max: 1 }, { item: 'stick', chance: 0.02, min: 1, max: 2 }],
};

export interface HarvestContext {
  registry: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  random: () => number;
}

/**
 * Item names and counts that breaking `blockName` with `heldItemName` (null: empty hand) yields.
 * Pure, so rules can be tested without a server.
 */
export function harvestDrops(ctx: HarvestContext, blockName: string, heldItemName: string | null, silkTouch = false): Array<{ item: string; count: number }> {
  const { registry, random } = ctx;
  const block = registry.blocksByName[blockName];
  if (!block) return [];
  const held = heldItemName ? registry.itemsByName[heldItemName] : undefined;
  if (block.harvestTools && !(held && block.harvestTools[held.id])) return [];
  const shears = heldItemName === 'shears';
  const out: Array<{ item: string; count: number }> = [];
  const add = (item: string, count: number) => {
    if (count > 0 && registry.itemsByName[item]) out.push({ item, count });
  };
  const leaves = LEAF_DROPS[blockName];
  if (leaves && !shears && !silkTouch) {
    for (const d of leaves) if (random() < d.chance) add(d.item, d.min + Math.floor(random() * (d.max - d.min + 1)));
    return out;
  }
  const loot: LootEntry[] | undefined = registry.blockLoot?.[blockName]?.drops;
  if (!loot) {
    for (const id of block.drops ?? []) add(registry.items[typeof id === 'number' ? id : id.drop?.id ?? id]?.name, 1);
    return out;
  }
  const plant = block.material === 'plant' || blockName.endsWith('leaves');
  if (plant && (shears || silkTouch) && loot.some((e) => e.item === blockName)) return [{ item: blockName, count: 1 }];
  const branch = loot.filter((e) => (silkTouch ? e.silkTouch : e.noSilkTouch));
  if (branch.length) {
    const total = branch.reduce((s, e) => s + e.dropChance, 0);
    let r = random() * total;
    const pick = branch.find((e) => (r -= e.dropChance) < 0) ?? branch[branch.length - 1]!;
    add(pick.item, count(pick, random));
  }
  for (const e of loot) {
    if (e.silkTouch || e.noSilkTouch) continue;
    // A plant's own item drops without shears only where it is the whole loot (cactus, sugar cane,
    // bamboo, flowers); grass and ferns give seeds instead, dead bushes sticks.
    if (plant && e.item === blockName && loot.some((o) => o.item !== blockName)) continue;
    if (e.dropChance >= 1 || random() < e.dropChance) add(e.item, count(e, random));
  }
  return out;
}

function count(e: LootEntry, random: () => number): number {
  const [min, max = min] = e.stackSizeRange;
  return min + Math.floor(random() * (max - min + 1));
}

const plugin: SquidPlugin = {
  server(serv: SquidServer, settings: SquidSettings) {
    const seed = Number(settings.generation?.options?.skillforgeSeed ?? settings.generation?.options?.seed ?? 0);
    const rng = new Random((seed ^ 0x4a7e57) >>> 0);
    serv.harvest = { random: () => rng.next() };
  },

  player(player: SquidPlayer, serv: SquidServer) {
    const { registry } = serv;
    player.on('dug', (data: { position: Vec3; block: { name: string }; dropBlock: boolean; drops: unknown[] }) => {
      if (!data.dropBlock || player.gameMode === 1) return;
      const held = player.inventory.slots[36 + player.heldItemSlot] as { name: string; enchants?: Array<{ name: string }> } | null;
      const silk = !!held?.enchants?.some((e) => e.name === 'silk_touch');
      const drops = harvestDrops({ registry, random: serv.harvest.random }, data.block.name, held?.name ?? null, silk);
      // flying-squid's dug handler drops the very array it passed us: rewrite it in place.
      data.drops.length = 0;
      for (const { item, count } of drops) {
        // One entity per item: flying-squid's pickup adds one item per entity whatever its count.
        for (let i = 0; i < count; i++) {
          data.drops.push({
            blockDropPosition: data.position.offset(0.5, 0.5, 0.5),
            blockDropWorld: player.world,
            blockDropVelocity: new Vec3(serv.harvest.random() * 2 - 1, 2 + serv.harvest.random(), serv.harvest.random() * 2 - 1),
            blockDropId: registry.itemsByName[item].id,
            blockDropDamage: 0,
            blockDropPickup: 500,
            blockDropDeath: 5 * 60 * 1000,
          });
        }
      }
    });
  },
};
export default plugin;
