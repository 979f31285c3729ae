/**
 * What a language model needs to know to write skills for Minecraft: the sandbox globals, the
 * primitives and a few facts of the game. The text lives in guide.md beside this file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Observation } from '../../core/types.js';

export const MINECRAFT_GUIDE = readFileSync(fileURLToPath(new URL('./guide.md', import.meta.url)), 'utf8').trim();

const TIERS = ['wooden', 'stone', 'iron', 'diamond'] as const;

/**
 * Tool tiers the inventory shows, as Voyager counts its tech-tree milestones ("wooden tool" = any
 * wooden pickaxe, axe, sword, shovel or hoe).
 */
export function milestonesReached(observation: Observation): string[] {
  const inventory = (observation.json.inventory ?? {}) as Record<string, number>;
  return TIERS.filter((tier) => Object.keys(inventory).some((name) => new RegExp(`^${tier}_(pickaxe|axe|sword|shovel|hoe)$`).test(name) && inventory[name]! > 0)).map(
    (tier) => `${tier} tool`,
  );
}
