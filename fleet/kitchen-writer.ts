/**
 * The kitchen's offline skill writer: a BASELINE for fleet workers without a language model, like
 * the Minecraft offline planner. It asks the kitchen's exact planner (envs/kitchen/task-planner.ts)
 * for the shortest plan from the observed state to the task's goal and writes it as one skill
 * function calling the sandbox's `kitchen.*` primitives (agents/evolve/composite.ts renders the code),
 * named after the task ("bring me an apple" -> bringMeAnApple). The learner then runs it in the
 * sandbox, the critic checks the goal, and only a passing skill is stored: nothing here is trusted.
 *
 * When a previous round failed (or another worker's attempts failed, fed back in the task context),
 * the plan is simply recomputed from the state now observed; a task with no plan fails with a
 * clear error, which is what the fleet defers and finally dead-letters.
 *
 * @example
 * ```ts
 * const writer = new KitchenPlanWriter();
 * const learner = new VoyagerLearner({ env, library, runtime, curriculum, writer, critic: new Critic(env), agent: 'w1' });
 * ```
 */
import { SkillforgeError } from '../core/errors.js';
import type { JsonValue } from '../core/types.js';
import { camelName, compositeCode, methodCallStyle, type CompositeSpec } from '../agents/evolve/composite.js';
import type { SkillWriter, WriteRequest, WrittenSkill } from '../agents/voyager/skill-writer.js';
import { kitchenTaskPlanner } from '../envs/kitchen/task-planner.js';

export const KITCHEN_WRITER_ID = 'kitchen-plan-writer (baseline, no language model)';

/** The skill name for a task description; never a primitive's own name. */
export function kitchenSkillName(description: string, primitiveNames: readonly string[] = []): string {
  let name = camelName(description.replace(/[^A-Za-z0-9 ]+/g, ' ').trim() || 'task');
  if (name.length > 60) name = name.slice(0, 60);
  if (primitiveNames.map(camelName).includes(name) || primitiveNames.includes(name)) name = `task${name[0]!.toUpperCase()}${name.slice(1)}`;
  return name;
}

export class KitchenPlanWriter implements SkillWriter {
  readonly id = KITCHEN_WRITER_ID;
  private readonly planner = kitchenTaskPlanner();

  async write(req: WriteRequest): Promise<WrittenSkill> {
    const plan = this.planner(req.observation, req.task);
    if (!plan) {
      throw new SkillforgeError('E_NO_PLAN', `the kitchen planner finds no plan for "${req.task.description}" from the state observed`, {
        hint: 'the goal may be impossible in this kitchen; check the task file',
      });
    }
    const steps = plan.filter((c) => c.skill !== 'done');
    if (steps.length === 0) throw new SkillforgeError('E_NO_PLAN', `"${req.task.description}" already holds: nothing to learn`);
    const name = kitchenSkillName(req.task.description, req.primitives.map((p) => p.name));
    const spec: CompositeSpec = {
      name,
      description: req.task.description,
      env: 'kitchen',
      params: [],
      steps: steps.map((c) => ({ skill: c.skill, args: Object.fromEntries(Object.entries(c.args ?? {}).map(([k, v]) => [k, { value: v as JsonValue }])) })),
      source: 'kitchen planner',
    };
    const code = compositeCode(spec, req.primitives, methodCallStyle('kitchen'));
    const retry = req.previous?.error ? ` (re-planned after: ${req.previous.error.split('\n')[0]})` : '';
    return { name, code, explanation: `${req.task.description}: ${steps.map((s) => s.skill).join(', ')}`, plan: `${steps.length} steps${retry}` };
  }
}
