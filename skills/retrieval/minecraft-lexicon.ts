/**
 * Minecraft vocabulary from minecraft-data (shipped with the project): which item words go together,
 * read from the game's own recipe, block-drop and mob-loot graphs. An item's name is words whose
 * last one is its kind (oak_planks -> "planks"); every recipe, drop and loot entry links the kinds of
 * the two items it joins (oak_planks <- oak_log: planks ~ log; oak_wood <- oak_log: wood ~ log;
 * oak_leaves -> oak_sapling: leaves ~ sapling; zombie -> rotten_flesh). Links seen often are kept,
 * the strongest few per word, so "get some wood" can reach a skill about logs and planks.
 *
 * @example
 * minecraftLexicon().get('wood');   // Map { 'log' => 1, 'planks' => 0.8, ... } (strength in (0, 1])
 */
import { createRequire } from 'node:module';

/** The game version whose data is read (the project's default server version). */
const VERSION = '1.16.5';
/** Related words kept per word. */
const KEEP = 6;
/** Weaker links are left out (one of forty dyes in a banner recipe). */
const MIN_STRENGTH = 0.2;

interface McData {
  itemsArray: { id: number; name: string }[];
  recipes: Record<string, { ingredients?: (number | null)[]; inShape?: (number | null)[][]; result: { id: number } }[]>;
  blocksArray: { name: string; drops: number[] }[];
  blockLootArray?: { block: string; drops: { item: string }[] }[];
  entityLootArray?: { entity: string; drops: { item: string; dropChance: number }[] }[];
}

let cached: Map<string, Map<string, number>> | undefined;

function kind(name: string): string {
  const parts = name.split('_');
  return parts[parts.length - 1]!;
}

/** Word -> related words with a strength in (0, 1]. Built once, on first use (~0.3 s). */
export function minecraftLexicon(): Map<string, Map<string, number>> {
  if (cached) return cached;
  const data = createRequire(import.meta.url)('minecraft-data')(VERSION) as McData;
  const itemName = new Map(data.itemsArray.map((i) => [i.id, i.name]));
  // For each pair of kinds, which items of one are joined to some item of the other.
  const joined = new Map<string, Map<string, Set<string>>>();
  const members = new Map<string, Set<string>>();
  const link = (a: string | undefined, b: string | undefined) => {
    if (!a || !b) return;
    const ka = kind(a);
    const kb = kind(b);
    if (ka === kb) return;
    for (const [x, kx, ky] of [[a, ka, kb], [b, kb, ka]] as const) {
      let m = joined.get(kx);
      if (!m) joined.set(kx, (m = new Map()));
      let s = m.get(ky);
      if (!s) m.set(ky, (s = new Set()));
      s.add(x);
      let all = members.get(kx);
      if (!all) members.set(kx, (all = new Set()));
      all.add(x);
    }
  };
  for (const list of Object.values(data.recipes)) {
    for (const r of list) {
      const result = itemName.get(r.result.id);
      const ids = new Set<number>([...(r.ingredients ?? []), ...(r.inShape ?? []).flat()].filter((x): x is number => typeof x === 'number'));
      for (const id of ids) link(result, itemName.get(id));
    }
  }
  for (const b of data.blocksArray) for (const d of b.drops) link(b.name, itemName.get(d));
  for (const b of data.blockLootArray ?? []) for (const d of b.drops) link(b.block, d.item);
  for (const e of data.entityLootArray ?? []) for (const d of e.drops) if (d.dropChance >= 0.5) link(e.entity, d.item);
  // Strength: the geometric mean of how much of each kind takes part (every log makes planks and
  // every plank comes from a log: 1; one kind of ingot in a table recipe: small).
  const cover = (a: string, b: string) => (joined.get(a)?.get(b)?.size ?? 0) / (members.get(a)?.size ?? 1);
  const out = new Map<string, Map<string, number>>();
  for (const [a, m] of joined) {
    const top = [...m.keys()]
      .map((b) => [b, Math.sqrt(cover(a, b) * cover(b, a))] as [string, number])
      .filter(([, x]) => x >= MIN_STRENGTH)
      .sort((x, y) => y[1] - x[1])
      .slice(0, KEEP);
    if (top.length) out.set(a, new Map(top));
  }
  cached = out;
  return out;
}
