/**
 * The automatic curriculum: what to learn next. Voyager asks a language model, showing it the agent's
 * state and what it has completed and failed; early on ("warm-up") some observation fields are held
 * back until enough tasks are done, so the first tasks stay simple.
 */
import type { Observation } from '../../core/types.js';
import type { Task } from '../../envs/environment.js';
import type { LanguageModel } from '../llm/model.js';
import { renderMessages } from '../llm/prompts.js';

export interface CurriculumContext {
  observation: Observation;
  completed: readonly string[];
  failed: readonly string[];
  iteration: number;
}

export interface ProposedTask extends Task {
  /** Why this task, or how to go about it: shown to the skill writer. */
  context?: string;
}

export interface Curriculum {
  readonly id: string;
  /** The next task, or null when the curriculum has nothing left to propose. */
  next(ctx: CurriculumContext): Promise<ProposedTask | null>;
}

/**
 * Voyager's warm-up: observation field -> completed tasks needed before it is shown. Fields not
 * listed are always shown.
 */
export const VOYAGER_WARMUP: Readonly<Record<string, number>> = {
  biome: 10,
  timeOfDay: 15,
  time: 15,
  blockCounts: 10,
  entities: 5,
  health: 15,
  food: 15,
};

const proposalSchema = {
  type: 'object',
  required: ['reasoning', 'task'],
  additionalProperties: false,
  properties: {
    reasoning: { type: 'string', maxLength: 4000 },
    task: { type: 'string', minLength: 3, maxLength: 200 },
    context: { type: 'string', maxLength: 2000 },
    goal: { type: 'object' },
  },
};

interface Proposal {
  reasoning: string;
  task: string;
  context?: string;
  goal?: Record<string, unknown>;
}

export class LlmCurriculum implements Curriculum {
  readonly id: string;
  constructor(
    private readonly model: LanguageModel,
    private readonly options: { env: string; envGuide: string; warmup?: Readonly<Record<string, number>>; prompt?: string },
  ) {
    this.id = `llm-curriculum:${model.id}`;
  }

  async next(ctx: CurriculumContext): Promise<ProposedTask | null> {
    const warmup = this.options.warmup ?? VOYAGER_WARMUP;
    const shown = Object.fromEntries(
      Object.entries(ctx.observation.json).filter(([field]) => (warmup[field] ?? 0) <= ctx.completed.length),
    );
    const messages = renderMessages(this.options.prompt ?? 'voyager-curriculum', {
      env: this.options.env,
      env_guide: this.options.envGuide,
      observation: JSON.stringify(shown, null, 1),
      completed: ctx.completed.length ? ctx.completed.join(', ') : 'none',
      failed: ctx.failed.length ? ctx.failed.join(', ') : 'none',
    });
    const p = await this.model.structured<Proposal>(messages, proposalSchema, { what: 'curriculum proposal' });
    const task: ProposedTask = { description: p.task.trim(), context: p.context ?? p.reasoning };
    if (p.goal) task.goal = p.goal;
    return task;
  }
}

/**
 * A curriculum given by the user: a fixed list of tasks, worked through in order (skipping the ones
 * completed already, so a restarted run resumes). `skillforge learn --tasks file` builds one.
 */
export class TaskListCurriculum implements Curriculum {
  readonly id = 'task-list';
  constructor(private readonly tasks: readonly ProposedTask[]) {}

  async next(ctx: CurriculumContext): Promise<ProposedTask | null> {
    return this.tasks.find((t) => !ctx.completed.includes(t.description) && !ctx.failed.includes(t.description)) ?? null;
  }
}
