/**
 * What an environment knows about obtaining things: mine this block (with at least this tool), craft
 * from these ingredients, smelt this input. Environments that have such knowledge (Minecraft, from
 * minecraft-data) provide a TechTree; the offline planner in agents/voyager reads only this shape,
 * and writes its skills through the environment's ObtainSkillTemplates (the environment's code API).
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

/** What the templates are told about the skill they write. */
export interface ObtainSkillContext {
  readonly tree: TechTree;
  /** The name of the skill that obtains `item` (the planner's naming rule): call it for ingredients and tools. */
  skillName(item: string): string;
  /** What the skill is for, in words (the planner's description, e.g. for a comment above the function). */
  readonly description: string;
}

/**
 * How an environment writes, in its own code API, the skill that obtains one tech-tree item. The
 * offline planner decides which item to obtain next and how skills are named and described; only the
 * environment knows how its agent counts an item, finds a block or uses a table. A kit passes its
 * templates to the planner, so agents/ never learns an environment's API.
 *
 * @example
 * const planner = new OfflinePlanner(new MinecraftTechTree(), minecraftSkillTemplates);
 */
export interface ObtainSkillTemplates {
  /**
   * The source of one async function named `ctx.skillName(item)` that obtains `count` of `item` by
   * `method` (calling the skills of ingredients and tools by their names), plus any helper functions
   * it uses written before it.
   */
  obtainSkill(item: string, method: ObtainMethod, ctx: ObtainSkillContext): string;
}
