/**
 * A curriculum that needs no language model, for any environment kit with an exact planner and a
 * way to name tasks: the kit lists candidate tasks from the observed state, grouped in families
 * from simple to long-horizon; the curriculum takes the families in turn and proposes, in each, the
 * task with the shortest plan from the state now (a task the planner cannot reach, or whose goal
 * already holds, is no task). A failed task is proposed again up to `maxTries` times, as Voyager's
 * curriculum does; when no family has anything left, it returns null. A BASELINE, named as such.
 *
 * Deterministic: the same start state and the same outcomes give the same tasks, so a second
 * learner starting afresh on the same library meets the tasks the first one learned.
 *
 * @example
 *   const curriculum = new PlanCurriculum({ name: 'kitchen', planner: kit.planner!(), families: (obs) => kitchenTaskFamilies(state(obs)) });
 */
import type { Observation } from '../../core/types.js';
import type { Task } from '../../envs/environment.js';
import type { Planner } from '../evolve/agent.js';
import type { Curriculum, CurriculumContext, ProposedTask } from './curriculum.js';

export interface TaskFamily {
  /** 'single', 'fetch', 'long-horizon'...: shown to the writer as the task's context. */
  name: string;
  tasks: Task[];
}

export interface PlanCurriculumOptions {
  /** Names the baseline in its id: 'offline:<name>-curriculum'. */
  name: string;
  planner: Planner;
  /** Candidate tasks from the observed state, families from simple to hard. */
  families: (observation: Observation) => TaskFamily[] | Promise<TaskFamily[]>;
  /** Proposals of one task before it is left for good (default 2). */
  maxTries?: number;
}

export class PlanCurriculum implements Curriculum {
  readonly id: string;
  private readonly tries = new Map<string, number>();

  constructor(private readonly o: PlanCurriculumOptions) {
    this.id = `offline:${o.name}-curriculum (baseline, no language model)`;
  }

  async next(ctx: CurriculumContext): Promise<ProposedTask | null> {
    const families = await this.o.families(ctx.observation);
    const max = this.o.maxTries ?? 2;
    // Families in turn, starting where the count of tasks so far points: simple and harder alternate.
    for (let k = 0; k < families.length; k++) {
      const family = families[(ctx.iteration + k) % families.length]!;
      let best: { task: Task; steps: number } | undefined;
      for (const task of family.tasks) {
        if (ctx.completed.includes(task.description) || this.tried(task.description, ctx) >= max) continue;
        const plan = await this.o.planner(ctx.observation, task);
        const steps = plan ? plan.filter((c) => c.skill !== 'done').length : 0;
        if (steps > 0 && (!best || steps < best.steps)) best = { task, steps };
      }
      if (best) {
        this.tries.set(best.task.description, this.tried(best.task.description, ctx) + 1);
        return { ...best.task, context: `${family.name} task; the ${this.o.name} planner reaches it in ${best.steps} step${best.steps === 1 ? '' : 's'} from here` };
      }
    }
    return null;
  }

  /** Proposals so far; a task failed in an earlier run (resumed state) counts as tried once. */
  private tried(description: string, ctx: CurriculumContext): number {
    return this.tries.get(description) ?? (ctx.failed.includes(description) ? 1 : 0);
  }
}
