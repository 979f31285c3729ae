/**
 * Reading a Minecraft goal from a short instruction ("make a stone pickaxe", "get 3 oak logs",
 * "craft 4 sticks"), so SayCan can check the task at the end. It knows item names and the tech tree's
 * families ("logs", "planks"), a count in digits or words, and plurals; anything else is not a goal it
 * can read (null), and the run is then judged by nobody rather than by a guess.
 *
 * @example
 *   minecraftGoalForText('make a stone pickaxe', tree)  // { description, goal: { inventory: { stone_pickaxe: 1 } } }
 */
import minecraftData from 'minecraft-data';
import type { Task } from '../environment.js';
import type { MinecraftTechTree } from './tech-tree.js';

const NUMBERS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, some: 1 };

export function minecraftGoalForText(text: string, tree: MinecraftTechTree, version = '1.16.5'): Task | null {
  const words = text.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ').split(/\s+/).filter(Boolean);
  const items = new Set(Object.keys(minecraftData(version).itemsByName));
  const groups = new Map(tree.groups.map((g) => [g.name, g]));
  // The longest run of words naming an item or a family, singular or plural, wins ("stone pickaxe" over "stone").
  let best: { item: string; at: number; length: number } | null = null;
  for (let at = 0; at < words.length; at++) {
    for (let length = Math.min(4, words.length - at); length >= 1; length--) {
      const phrase = words.slice(at, at + length);
      const candidates = [phrase.join('_'), [...phrase.slice(0, -1), phrase[length - 1]!.replace(/e?s$/, '')].join('_'), [...phrase.slice(0, -1), phrase[length - 1]!.replace(/s$/, '')].join('_')];
      const item = candidates.find((c) => items.has(c) || groups.has(c));
      if (item && (!best || length > best.length)) best = { item, at, length };
      if (item) break;
    }
  }
  if (!best) return null;
  const before = words[best.at - 1];
  const count = before === undefined ? 1 : /^\d+$/.test(before) ? Number(before) : NUMBERS[before] ?? 1;
  if (count < 1 || count > 64) return null;
  const group = groups.get(best.item);
  const goal = group ? { inventoryAny: { items: [...group.members], count } } : { inventory: { [best.item]: count } };
  return { description: text, goal };
}
