/**
 * Voyager's skill description: a language model summarises what a verified function does, in words
 * that retrieval will match for similar tasks later. The prompt is agents/voyager/prompts/voyager-describe.md.
 */
import type { LanguageModel } from '../llm/model.js';
import { renderMessages } from '../llm/prompts.js';
import type { ProposedTask } from './curriculum.js';
import type { WrittenSkill } from './skill-writer.js';

const schema = {
  type: 'object',
  required: ['description'],
  additionalProperties: false,
  properties: { description: { type: 'string', minLength: 10, maxLength: 2000 } },
};

export async function describeWithModel(model: LanguageModel, env: string, written: WrittenSkill, task: ProposedTask): Promise<string> {
  const messages = renderMessages('voyager-describe', { env, code: written.code });
  const { description } = await model.structured<{ description: string }>(messages, schema, { what: 'skill description' });
  // The task keeps the description findable by the words the curriculum uses.
  return `${description.trim()} (learned for: ${task.description})`;
}
