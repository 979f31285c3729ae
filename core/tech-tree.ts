/**
 * What an environment knows about obtaining things: mine this block (with at least this tool), craft
 * from these ingredients, smelt this input. Environments that have such knowledge (Minecraft, from
 * minecraft-data) provide a TechTree; the offline planner in agents/voyager reads only this shape.
 */

/** A family of interchangeable items that share a name suffix, e.g. any `_log`. */
export interface ItemGroup {
  /** The group's name as used in the tree, e.g. 'log'. */
  name: string;
  /** Member names, e.g. ['oak_log', 'birch_log', ...]. */
  members: readonly string[];
  /** Shared suffix, e.g. '_log': oak_log -> oak_planks maps members of two groups by prefix. */
  suffix: string;
}

export type ObtainMethod =
  /** Dig one of `blocks` (each yields about `perBlock`); `tools` lists acceptable tools, empty when the hand will do. */
  | { kind: 'mine'; blocks: readonly string[]; tools: readonly string[]; cheapestTool: string | null; perBlock: number }
  /** Craft from `ingredients` (item or group names -> count per craft), producing `perCraft`. */
  | { kind: 'craft'; ingredients: Readonly<Record<string, number>>; perCraft: number; table: boolean }
  /** Smelt `input` in a furnace with `fuel`. */
  | { kind: 'smelt'; input: string; fuel: string };

export interface TechTree {
  /** The classic progression, in the order an agent reaches it (item or group names). */
  readonly milestones: readonly string[];
  readonly groups: readonly ItemGroup[];
  obtain(item: string): ObtainMethod | undefined;
}
