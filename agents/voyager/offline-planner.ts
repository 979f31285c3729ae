/**
 * The offline planner: a curriculum and a skill writer that need no language model, built from the
 * environment's own knowledge (a TechTree: what to mine with which tool, what to craft from what,
 * what to smelt). It is a BASELINE, not a fake model: it proposes the next reachable milestone of the
 * tech tree and writes `obtain<Item>` skills that compose the primitives and the skills of their
 * ingredients, which the same runtime, critic and library then run, check and keep. The code of a
 * skill comes from the environment's ObtainSkillTemplates (Minecraft's: envs/minecraft/skill-templates.ts),
 * so this planner knows tech trees, not any environment's code API.
 *
 * @example
 * ```ts
 * const planner = new OfflinePlanner(new MinecraftTechTree(), minecraftSkillTemplates);
 * const learner = new VoyagerLearner({ ..., curriculum: planner, writer: planner });
 * ```
 */
import type { ObtainMethod, ObtainSkillTemplates, TechTree } from '../../core/tech-tree.js';
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

  /**
   * `templates`: how the environment writes an obtain skill in its code API (Minecraft's live in
   * envs/minecraft/skill-templates.ts). `maxTries`: proposals of one milestone before the planner
   * gives up on the rest of the tree.
   */
  constructor(
    private readonly tree: TechTree,
    private readonly templates: ObtainSkillTemplates,
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

  private codeFor(item: string): string {
    const method = this.tree.obtain(item);
    if (!method) throw new SkillforgeError('E_PLANNER', `the tech tree does not say how to obtain ${item}`);
    return this.templates.obtainSkill(item, method, { tree: this.tree, skillName: obtainSkillName, description: this.describe(item, method) });
  }
}
