/**
 * The offline planner: a curriculum and a skill writer that need no language model, built from the
 * environment's own knowledge (a TechTree: what to mine with which tool, what to craft from what,
 * what to smelt). It is a BASELINE, not a fake model: it proposes the next reachable milestone of the
 * tech tree and writes `obtain<Item>(bot, count)` skills that compose the primitives and the skills of
 * their ingredients, which the same runtime, critic and library then run, check and keep.
 *
 * @example
 * ```ts
 * const planner = new OfflinePlanner(new MinecraftTechTree());
 * const learner = new VoyagerLearner({ ..., curriculum: planner, writer: planner });
 * ```
 */
import type { ItemGroup, ObtainMethod, TechTree } from '../../core/tech-tree.js';
import { SkillforgeError } from '../../core/errors.js';
import type { Curriculum, CurriculumContext, ProposedTask } from './curriculum.js';
import { checkWritten, type SkillWriter, type WriteRequest, type WrittenSkill } from './skill-writer.js';

export const OFFLINE_PLANNER_ID = 'offline-planner (baseline, no language model)';

/** obtain + CamelCase of the item: iron_ingot -> obtainIronIngot. */
export function obtainSkillName(item: string): string {
  return 'obtain' + item.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function verb(method: ObtainMethod): string {
  return method.kind === 'mine' ? 'Mine' : method.kind === 'craft' ? 'Craft' : 'Smelt';
}

/** The task text for one item, e.g. "Craft 1 wooden pickaxe". */
export function taskFor(tree: TechTree, item: string, count = 1): ProposedTask {
  const method = tree.obtain(item);
  if (!method) throw new SkillforgeError('E_PLANNER', `the tech tree does not say how to obtain ${item}`);
  const group = tree.groups.find((g) => g.name === item);
  const goal = group ? { inventoryAny: { items: [...group.members], count } } : { inventory: { [item]: count } };
  return { description: `${verb(method)} ${count} ${item.replace(/_/g, ' ')}`, goal, context: `tech tree item ${item}` };
}

export class OfflinePlanner implements Curriculum, SkillWriter {
  readonly id = OFFLINE_PLANNER_ID;

  private readonly tries = new Map<string, number>();

  /** `maxTries`: proposals of one milestone before the planner gives up on the rest of the tree. */
  constructor(
    private readonly tree: TechTree,
    private readonly maxTries = 3,
  ) {}

  /**
   * The first milestone not completed yet. A failed one is proposed again (exploring may find what
   * was missing), up to maxTries; then the planner stops, since later milestones need it.
   */
  async next(ctx: CurriculumContext): Promise<ProposedTask | null> {
    for (const item of this.tree.milestones) {
      const task = taskFor(this.tree, item);
      if (ctx.completed.includes(task.description)) continue;
      const tries = (this.tries.get(task.description) ?? 0) + 1;
      if (tries > this.maxTries) return null;
      this.tries.set(task.description, tries);
      return task;
    }
    return null;
  }

  async write(req: WriteRequest): Promise<WrittenSkill> {
    const item = this.itemOf(req.task);
    const code = this.codeFor(item);
    const name = checkWritten(code);
    const method = this.tree.obtain(item)!;
    return {
      name,
      code,
      explanation: this.describe(item, method),
      plan: `${verb(method)} ${item}${req.previous?.error ? ` (retrying after: ${req.previous.error.split('\n')[0]})` : ''}`,
    };
  }

  /** What a stored skill is for, in words that retrieval matches ("obtain ... craft ... wooden pickaxe"). */
  describe(item: string, method: ObtainMethod): string {
    const words = item.replace(/_/g, ' ');
    switch (method.kind) {
      case 'mine':
        return `Obtain ${words} by mining ${method.blocks.map((b) => b.replace(/_/g, ' ')).join(' or ')}${method.cheapestTool ? ` with a ${method.cheapestTool.replace(/_/g, ' ')} or better` : ''}, exploring to find it when none is nearby.`;
      case 'craft':
        return `Craft ${words} from ${Object.entries(method.ingredients).map(([n, c]) => `${c} ${n.replace(/_/g, ' ')}`).join(' and ')}${method.table ? ' at a crafting table' : ''}, obtaining the ingredients first.`;
      case 'smelt':
        return `Smelt ${method.input.replace(/_/g, ' ')} into ${words} in a furnace with ${method.fuel}, obtaining the ore, fuel and furnace first.`;
    }
  }

  private itemOf(task: ProposedTask): string {
    const goal = task.goal as { inventory?: Record<string, number>; inventoryAny?: { items: string[] } } | undefined;
    if (goal?.inventory) {
      const [item] = Object.keys(goal.inventory);
      if (item && this.tree.obtain(item)) return item;
    }
    if (goal?.inventoryAny) {
      const group = this.tree.groups.find((g) => g.members.every((m) => goal.inventoryAny!.items.includes(m)));
      if (group) return group.name;
    }
    throw new SkillforgeError('E_PLANNER', `the offline planner cannot write a skill for "${task.description}": it only knows tech-tree items`, {
      hint: 'configure a language model (--llm) for open-ended tasks',
    });
  }

  private groupNamed(name: string): ItemGroup | undefined {
    return this.tree.groups.find((g) => g.name === name);
  }

  /**
   * How much of `item` the bot holds, as code. For a group, the largest single member: recipes are
   * matched per wood type, so 2 oak and 2 birch planks do not make a 3-plank pickaxe.
   */
  private countExpr(item: string): string {
    const group = this.groupNamed(item);
    return group ? `Math.max(...${JSON.stringify(group.members)}.map((n) => countItems(bot, [n])))` : `countItems(bot, [${JSON.stringify(item)}])`;
  }

  private codeFor(item: string): string {
    const method = this.tree.obtain(item);
    if (!method) throw new SkillforgeError('E_PLANNER', `the tech tree does not say how to obtain ${item}`);
    const fn = obtainSkillName(item);
    const have = this.countExpr(item);
    const lines: string[] = [];
    const helpers = [COUNT_ITEMS];
    if (method.kind === 'mine') {
      helpers.push(NEAREST_BLOCK);
      if (method.cheapestTool) {
        lines.push(`  if (countItems(bot, ${JSON.stringify(method.tools)}) === 0) await ${obtainSkillName(method.cheapestTool)}(bot, 1);`);
      }
      lines.push(
        `  const blocks = ${JSON.stringify(method.blocks)};`,
        `  for (let tries = 0; ${have} < count && tries < 4; tries++) {`,
        `    let block = nearestBlock(bot, blocks, 32);`,
        `    if (!block) {`,
        `      const directions = [new Vec3(1, 0, 1), new Vec3(-1, 0, 1), new Vec3(1, 0, -1), new Vec3(-1, 0, -1)];`,
        `      await exploreUntil(bot, directions[tries % 4], 60, () => nearestBlock(bot, blocks, 32));`,
        `      block = nearestBlock(bot, blocks, 32);`,
        `      if (!block) continue;`,
        `    }`,
        `    await mineBlock(bot, block, Math.max(1, Math.ceil((count - ${have}) / ${method.perBlock})));`,
        `  }`,
      );
    } else if (method.kind === 'craft') {
      const need = Object.entries(method.ingredients);
      const ready = need.map(([n, c]) => `${this.countExpr(n)} >= ${c}`).join(' && ');
      lines.push(`  for (let round = 0; ${have} < count && round < count + 2; round++) {`);
      if (method.table) {
        // Before the ingredients: making a table uses planks the recipe may need.
        helpers.push(ENSURE_NEARBY);
        // Passed as a call inside an arrow, so dependency detection (which reads calls) sees it.
        lines.push(`    await ensureNearby(bot, 'crafting_table', (b, n) => ${obtainSkillName('crafting_table')}(b, n));`);
      }
      // Obtaining one ingredient can use up another (sticks are made of planks): gather until all hold.
      lines.push(`    for (let pass = 0; pass < 3 && !(${ready}); pass++) {`);
      for (const [ingredient, n] of need) lines.push(`      await ${obtainSkillName(ingredient)}(bot, ${n});`);
      lines.push(`    }`, `    if (!(${ready})) throw new Error('could not gather the ingredients of ${item}: ${need.map(([n, c]) => `${c} ${n}`).join(', ')}');`);
      const group = this.groupNamed(item);
      const source = need.map(([n]) => this.groupNamed(n)).find((g) => g !== undefined);
      if (group && source) {
        // A group made from a group (planks from logs): craft the member matching the log we hold.
        lines.push(
          `    const from = ${JSON.stringify([...source.members])}.find((n) => countItems(bot, [n]) > 0);`,
          `    if (!from) throw new Error('no ${source.name} in the inventory to make ${item} from');`,
          `    await craftItem(bot, from.slice(0, -${source.suffix.length}) + ${JSON.stringify(group.suffix)}, 1);`,
        );
      } else {
        lines.push(`    await craftItem(bot, ${JSON.stringify(group ? group.members[0] : item)}, 1);`);
      }
      lines.push(`  }`);
    } else {
      helpers.push(ENSURE_NEARBY);
      lines.push(
        `  const missing = count - ${have};`,
        `  if (missing <= 0) return;`,
        `  await ensureNearby(bot, 'furnace', (b, n) => ${obtainSkillName('furnace')}(b, n));`,
        `  await ${obtainSkillName(method.input)}(bot, missing);`,
        `  await ${obtainSkillName(method.fuel)}(bot, Math.ceil(missing / 8));`,
        `  await smeltItem(bot, ${JSON.stringify(method.input)}, ${JSON.stringify(method.fuel)}, missing);`,
      );
    }
    lines.push(`  if (${have} < count) throw new Error(\`have \${${have}} ${item}, need \${count}\`);`);
    return `${helpers.join('\n\n')}\n\n// ${this.describe(item, method)}\nasync function ${fn}(bot, count = 1) {\n${lines.join('\n')}\n}\n`;
  }
}

// Helpers written into the skills that use them. Identical text in every skill, so a program that
// concatenates several skills redeclares the same function harmlessly.
const COUNT_ITEMS = `function countItems(bot, names) {
  return bot.inventory.items().filter((i) => names.includes(i.name)).reduce((sum, i) => sum + i.count, 0);
}`;

const NEAREST_BLOCK = `function nearestBlock(bot, names, distance) {
  let best = null;
  let bestDistance = Infinity;
  for (const name of names) {
    const type = mcData.blocksByName[name];
    if (!type) continue;
    const found = bot.findBlock({ matching: type.id, maxDistance: distance });
    if (found) {
      const d = found.position.distanceTo(bot.entity.position);
      if (d < bestDistance) { best = name; bestDistance = d; }
    }
  }
  return best;
}`;

const ENSURE_NEARBY = `async function ensureNearby(bot, name, obtain) {
  const type = mcData.blocksByName[name];
  const near = () => bot.findBlock({ matching: type.id, maxDistance: 16 });
  if (near()) return;
  if (countItems(bot, [name]) === 0) await obtain(bot, 1);
  if (countItems(bot, [name]) === 0) throw new Error('have no ' + name + ' to place');
  // Without a position, placeItem picks the spot itself: the nearest open one within 6 blocks, or
  // one dug out of the wall beside the bot when it stands in a pit or a tunnel.
  for (let tries = 0; tries < 2 && !near(); tries++) {
    try {
      await placeItem(bot, name);
    } catch (err) {
      if (tries === 1) throw new Error('could not place a ' + name + ' near the bot: ' + err.message + '; move to open ground and try again');
    }
  }
  if (!near()) throw new Error('could not place a ' + name + ' near the bot (see the chat for why); move to open ground and try again');
}`;
