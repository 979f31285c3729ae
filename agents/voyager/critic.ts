/**
 * Did the task succeed? A programmatic check first, when the task states a goal the environment can
 * test (e.g. the inventory holds 1 wooden_pickaxe); a language-model critic otherwise. A skill that
 * claims success but fails the programmatic check is a failure, whatever the model says.
 */
import type { Observation } from '../../core/types.js';
import type { Environment } from '../../envs/environment.js';
import type { LanguageModel } from '../llm/model.js';
import { renderMessages } from '../llm/prompts.js';
import type { ProposedTask } from './curriculum.js';

export interface Verdict {
  success: boolean;
  critique: string;
  /** 'check' when the environment decided, 'llm' when the model did, 'none' when nobody could. */
  judge: 'check' | 'llm' | 'none';
}

export interface CriticInput {
  task: ProposedTask;
  observation: Observation;
  events: readonly string[];
  error?: string;
}

const verdictSchema = {
  type: 'object',
  required: ['reasoning', 'success', 'critique'],
  additionalProperties: false,
  properties: {
    reasoning: { type: 'string', maxLength: 4000 },
    success: { type: 'boolean' },
    critique: { type: 'string', maxLength: 4000 },
  },
};

export class Critic {
  constructor(
    private readonly env: Environment,
    private readonly model?: LanguageModel,
  ) {}

  async judge(input: CriticInput): Promise<Verdict> {
    const checked = await this.env.check(input.task);
    if (checked.success !== null) return { success: checked.success, critique: checked.reason, judge: 'check' };
    if (!this.model) {
      // No goal and no model: only a clean run counts, and we say that nobody verified it.
      return { success: false, critique: `cannot verify "${input.task.description}": it states no goal and no critic model is configured`, judge: 'none' };
    }
    const messages = renderMessages('voyager-critic', {
      task: input.task.description,
      context: input.task.context ?? '',
      observation: input.observation.text,
      events: input.events.length ? input.events.join('\n') : 'none',
      error: input.error ?? 'none',
    });
    const v = await this.model.structured<{ reasoning: string; success: boolean; critique: string }>(messages, verdictSchema, { what: 'critic verdict' });
    return { success: v.success && !input.error, critique: v.critique, judge: 'llm' };
  }
}
