/**
 * Reflection: from trajectories to proposed composite skills. Two reflectors share one interface:
 * `StatisticalReflector` (frequent successful subsequences, no model) and `LlmReflector` (a language
 * model reads the trajectories through the prompt file agents/evolve/prompts/evolve-reflect.md and
 * answers structured JSON, checked with ajv). Proposals of either kind are only proposals: the
 * evolver verifies each in the sandbox before anything is stored.
 *
 * @example
 *   const reflector = model ? new LlmReflector(model) : new StatisticalReflector({ minSupport: 3 });
 *   const specs = await reflector.reflect(trajectories, { env: 'kitchen', primitives, existing });
 */
import type { JsonSchema } from '../../core/types.js';
import type { Primitive } from '../../envs/environment.js';
import type { LanguageModel } from '../llm/model.js';
import { renderMessages } from '../llm/prompts.js';
import { renderPrimitives } from '../act/grounding.js';
import { minePatterns, specSignature, type MineOptions } from './abstraction.js';
import { checkComposite, type ArgRef, type CompositeSpec } from './composite.js';
import type { Trajectory } from './trajectory.js';

export interface ReflectContext {
  env: string;
  primitives: readonly Primitive[];
  /** Signatures (see specSignature) of composites the library has or has rejected. */
  existing: ReadonlySet<string>;
  /** Names already taken. */
  names: ReadonlySet<string>;
  signal?: AbortSignal;
}

export interface Reflector {
  readonly id: string;
  reflect(trajectories: readonly Trajectory[], context: ReflectContext): Promise<CompositeSpec[]>;
}

export class StatisticalReflector implements Reflector {
  readonly id = 'statistical';
  constructor(private readonly options: Omit<MineOptions, 'env' | 'exclude'> = {}) {}

  async reflect(trajectories: readonly Trajectory[], context: ReflectContext): Promise<CompositeSpec[]> {
    // Different sequences can read the same ("find X, pick up X" and "find X, pick up Y"): a taken
    // name gets a number, so a new composite never becomes a version of an unrelated one.
    const taken = new Set(context.names);
    return minePatterns(trajectories, context.primitives, { ...this.options, env: context.env, exclude: context.existing }).map((p) => {
      let name = p.spec.name.slice(0, 120);
      for (let k = 2; taken.has(name); k++) name = `${p.spec.name.slice(0, 120)}${k}`;
      taken.add(name);
      return { ...p.spec, name };
    });
  }
}

interface LlmProposal {
  skills: {
    name: string;
    description: string;
    params: { name: string; like: string }[];
    steps: { skill: string; args: Record<string, ArgRef> }[];
  }[];
}

const PROPOSAL_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['skills'],
  additionalProperties: false,
  properties: {
    skills: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        required: ['name', 'description', 'params', 'steps'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$]*$', maxLength: 128 },
          description: { type: 'string', minLength: 1, maxLength: 2000 },
          params: {
            type: 'array',
            maxItems: 8,
            items: {
              type: 'object',
              required: ['name', 'like'],
              additionalProperties: false,
              properties: { name: { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$]*$' }, like: { type: 'string', minLength: 3 } },
            },
          },
          steps: {
            type: 'array',
            minItems: 2,
            maxItems: 8,
            items: {
              type: 'object',
              required: ['skill', 'args'],
              additionalProperties: false,
              properties: {
                skill: { type: 'string', minLength: 1 },
                args: {
                  type: 'object',
                  additionalProperties: {
                    oneOf: [
                      { type: 'object', required: ['param'], additionalProperties: false, properties: { param: { type: 'string' } } },
                      { type: 'object', required: ['value'], additionalProperties: false, properties: { value: {} } },
                    ],
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

export interface LlmReflectorOptions {
  /** Prompt file name (default 'evolve-reflect', agents/evolve/prompts/evolve-reflect.md), and its folder. */
  prompt?: string;
  promptDir?: string;
  /** Most recent episodes shown to the model (default 30). */
  maxTrajectories?: number;
  /** Proposals asked for (default 3). */
  limit?: number;
  minSupport?: number;
}

/** Proposals that do not check against the primitives are dropped and reported through `rejected`. */
export class LlmReflector implements Reflector {
  readonly id: string;
  /** Why proposals of the last call were dropped. */
  rejected: string[] = [];
  constructor(
    private readonly model: LanguageModel,
    private readonly options: LlmReflectorOptions = {},
  ) {
    this.id = `llm:${model.id}`;
  }

  async reflect(trajectories: readonly Trajectory[], context: ReflectContext): Promise<CompositeSpec[]> {
    this.rejected = [];
    const shown = trajectories.slice(-(this.options.maxTrajectories ?? 30));
    const render = (t: Trajectory) =>
      `episode ${t.episode} (${t.task ?? 'no task'}; ${t.solved === true ? 'solved' : t.solved === false ? 'not solved' : 'unchecked'}):\n` +
      t.steps.map((s, i) => `  ${i + 1}. ${s.call.skill} ${JSON.stringify(s.call.args)} ${s.success ? 'ok' : `FAILED (${s.error ?? ''})`}`).join('\n');
    const messages = renderMessages(
      this.options.prompt ?? 'evolve-reflect',
      {
        env: context.env,
        primitives: renderPrimitives(context.primitives),
        existing: context.names.size ? [...context.names].join(', ') : '(none)',
        trajectories: shown.map(render).join('\n'),
        count: shown.length,
        limit: this.options.limit ?? 3,
        min_support: this.options.minSupport ?? 3,
      },
      this.options.promptDir,
    );
    const answer = await this.model.structured<LlmProposal>(messages, PROPOSAL_SCHEMA, { what: 'composite skill proposals', signal: context.signal });
    const byName = new Map(context.primitives.map((p) => [p.name, p]));
    const out: CompositeSpec[] = [];
    for (const s of answer.skills) {
      try {
        const params = s.params.map((p) => {
          const [prim, arg] = splitLike(p.like);
          const schema = ((byName.get(prim)?.params['properties'] ?? {}) as Record<string, JsonSchema>)[arg];
          if (!schema) throw new Error(`parameter ${p.name} is "like" ${p.like}, which is no primitive argument`);
          const copy = structuredClone(schema);
          delete (copy as Record<string, unknown>)['x-phrases'];
          return { name: p.name, schema: copy };
        });
        const spec: CompositeSpec = { name: s.name, description: s.description, env: context.env, params, steps: s.steps, source: 'evolve:llm' };
        checkComposite(spec, context.primitives);
        if (context.names.has(spec.name)) throw new Error(`the name ${spec.name} is taken`);
        if (context.existing.has(specSignature(spec))) throw new Error(`${spec.name} repeats an existing composite`);
        out.push(spec);
      } catch (err) {
        this.rejected.push(`${s.name}: ${(err as Error).message}`);
      }
    }
    return out;
  }
}

function splitLike(like: string): [string, string] {
  const i = like.lastIndexOf('.');
  return i < 0 ? [like, ''] : [like.slice(0, i), like.slice(i + 1)];
}
