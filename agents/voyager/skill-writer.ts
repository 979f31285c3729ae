/**
 * The action agent: writes one async function that does the task, from the task, the observation,
 * the primitives, related skills from the library and, after a failed round, the code that failed
 * with its errors, events and the critic's advice. Whatever the writer returns is checked as skill
 * code before anything runs.
 */
import { parse } from 'acorn';
import type { JsonSchema, Observation } from '../../core/types.js';
import type { Primitive } from '../../envs/environment.js';
import type { Skill } from '../../skills/skill.js';
import { parseSkillCode } from '../../skills/code.js';
import { ValidationError } from '../../core/validate.js';
import type { LanguageModel } from '../llm/model.js';
import { renderMessages } from '../llm/prompts.js';
import type { ProposedTask } from './curriculum.js';
import { renderPrimitives } from '../act/grounding.js';

export interface PreviousRound {
  code: string;
  error?: string;
  events: string[];
  critique?: string;
}

export interface WriteRequest {
  task: ProposedTask;
  env: string;
  observation: Observation;
  primitives: readonly Primitive[];
  /** Related skills retrieved from the library, usable by name. */
  skills: readonly Skill[];
  previous?: PreviousRound;
  round: number;
}

export interface WrittenSkill {
  /** The main function's name: the last top-level async function of `code`. */
  name: string;
  code: string;
  explanation: string;
  plan: string;
  /** Set when the writer reused an existing skill as is (no new code to store). */
  reused?: string;
  /**
   * The params schema to store with the skill, when the writer knows it (a composite's, with its
   * spec as `x-composite`, so later writers can see what the skill does without running it).
   */
  params?: JsonSchema;
}

export interface SkillWriter {
  readonly id: string;
  write(request: WriteRequest): Promise<WrittenSkill>;
}

/** The last top-level async function declared in `code` (Voyager's convention for the main one). */
export function mainFunctionName(code: string): string {
  let program;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
  } catch (err) {
    throw new ValidationError('skill code', [`/code does not parse: ${(err as Error).message}`], 'write valid JavaScript');
  }
  const names = program.body
    .filter((s) => s.type === 'FunctionDeclaration' && s.async && s.id)
    .map((s) => (s as { id: { name: string } }).id.name);
  if (names.length === 0) {
    throw new ValidationError('skill code', ['/code defines no top-level async function'], 'write: async function doTheTask(bot) { ... }');
  }
  return names[names.length - 1]!;
}

/** Check writer output the way the library will: it parses and defines its main async function. */
export function checkWritten(code: string): string {
  const name = mainFunctionName(code);
  parseSkillCode(code, name, 'written skill');
  return name;
}

const answerSchema = {
  type: 'object',
  required: ['explanation', 'plan', 'code'],
  additionalProperties: false,
  properties: {
    explanation: { type: 'string', maxLength: 8000 },
    plan: { type: 'string', maxLength: 8000 },
    code: { type: 'string', minLength: 10, maxLength: 100_000 },
  },
};


export class LlmSkillWriter implements SkillWriter {
  readonly id: string;
  constructor(
    private readonly model: LanguageModel,
    private readonly options: { envGuide: string; prompt?: string } = { envGuide: '' },
  ) {
    this.id = `llm-writer:${model.id}`;
  }

  async write(req: WriteRequest): Promise<WrittenSkill> {
    const messages = renderMessages(this.options.prompt ?? 'voyager-action', {
      env: req.env,
      env_guide: this.options.envGuide,
      primitives: renderPrimitives(req.primitives),
      skills: req.skills.length ? req.skills.map((s) => `// ${s.description}\n${s.code}`).join('\n\n') : '(none yet)',
      task: req.task.description,
      context: req.task.context ?? '',
      observation: req.observation.text,
      previous_code: req.previous?.code ?? '(first attempt)',
      execution_error: req.previous?.error ?? 'none',
      events: req.previous?.events.length ? req.previous.events.join('\n') : 'none',
      critique: req.previous?.critique ?? 'none',
    });
    // A writer answer whose code does not check is fed back like a schema error: the retry sees why.
    let lastProblem = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const extra = lastProblem ? [{ role: 'user' as const, content: `Your code was rejected: ${lastProblem}\nAnswer again with corrected code.` }] : [];
      const answer = await this.model.structured<{ explanation: string; plan: string; code: string }>([...messages, ...extra], answerSchema, {
        what: 'skill code',
      });
      try {
        const name = checkWritten(answer.code);
        return { name, code: answer.code, explanation: answer.explanation, plan: answer.plan };
      } catch (err) {
        lastProblem = (err as Error).message;
      }
    }
    throw new ValidationError('skill code from the language model', [lastProblem], 'the model kept writing code that does not check; try a stronger model');
  }
}
