/**
 * The SayCan agent ("Do As I Can, Not As I Say", Ahn et al. 2022): at every step, score each
 * candidate skill by Say (how useful the language model thinks it is for the instruction, given
 * what was done so far) times Can (how likely it is to succeed in the state observed now), execute
 * the best, and observe again. Stops on 'done' or after `maxSteps`.
 *
 * @example
 *   const agent = new SayCanAgent({ env, model, affordance: null, preconditions: true });
 *   const result = await agent.run('bring me an apple', { task: { description: '...', goal: { userHas: 'apple' } } });
 *   console.log(formatTrace(result));
 */
import { randomUUID } from 'node:crypto';
import { SkillforgeError, errorMessage } from '../../core/errors.js';
import type { JsonValue, Observation, Outcome, SkillCall } from '../../core/types.js';
import type { CheckResult, Environment, Primitive, Task } from '../../envs/environment.js';
import type { Skill } from '../../skills/skill.js';
import type { AffordanceModel } from '../affordance/model.js';
import { combinePreconditions } from '../affordance/preconditions.js';
import type { LanguageModel, ScoreMethod, UsageCounters } from '../llm/model.js';
import { loadPrompt } from '../llm/prompts.js';
import { groundPrimitives, groundSkills, type Candidate } from '../act/grounding.js';
import { checkSay, rankCandidates, type ScoredCandidate } from './decision.js';
import { interruptionReason } from '../interruption.js';
import { attemptRecord, type AttemptSink } from '../act/attempt.js';
import type { SkillRunner } from '../act/skill-runner.js';

/** Where retrieved skills come from (SkillLibrary fits). */
export interface SkillSource {
  search(text: string, k: number, filter?: { env?: string }): Promise<{ skill: Skill; score: number }[]>;
}


export interface SayCanOptions {
  env: Environment;
  /** The candidate primitives, with enum domains (a kit session's `primitives`); default `env.primitives()`. */
  primitives?: readonly Primitive[];
  model: LanguageModel;
  /** A learned (or any) affordance model for Can. Default none. */
  affordance?: AffordanceModel | null;
  /** Use the environment's exact preconditions in Can (default true). Off + no affordance = Can 1. */
  preconditions?: boolean;
  /** Retrieve skills for the instruction from here (needs `runSkill` to execute them). */
  library?: SkillSource;
  /** How many library skills to retrieve (default 5). */
  librarySkills?: number;
  runSkill?: SkillRunner;
  memory?: AttemptSink;
  /**
   * Ask the language model only about candidates whose Can is above 0. The choice is the same
   * (an infeasible candidate's product is 0 anyway) for far fewer tokens; the explanation then no
   * longer shows the model's vetoed favourites. Default false.
   */
  prefilter?: boolean;
  /** Default 20. */
  maxSteps?: number;
  /** Candidates kept per step to explain the decision (default 5). */
  topK?: number;
  /** Prompt template name (default 'saycan', agents/saycan/prompts/saycan.md), and its folder. */
  prompt?: string;
  promptDir?: string;
  /** Name recorded in memory (default 'saycan'). */
  agent?: string;
  /** Called after every step (for live traces). */
  onStep?: (step: SayCanStep) => void;
}

export interface SayCanStep {
  index: number;
  /** The scene the decision was made in. */
  observation: string;
  candidates: number;
  /** How many candidates the language model scored (fewer than `candidates` with `prefilter`). */
  asked: number;
  sayMethod: ScoreMethod;
  /** The best k by Say × Can; `top[0]` is what was chosen. */
  top: ScoredCandidate[];
  chosen: ScoredCandidate;
  /** null for 'done' (nothing executed). */
  outcome: Outcome | null;
}

export interface SayCanResult {
  instruction: string;
  steps: SayCanStep[];
  /** The phrases of the steps that succeeded, in order (what the prompt's plan shows). */
  history: string[];
  /**
   * 'interrupted': the stop signal fired, the language model stayed unavailable, or the environment
   * dropped. Nothing of the interrupted step is recorded and the task is not judged: it is not a failure.
   */
  stopped: 'done' | 'max-steps' | 'error' | 'interrupted';
  /** Why the run stopped with 'error' or 'interrupted'; the failing step executed nothing. */
  error?: SkillforgeError;
  /** With 'interrupted': why. */
  interrupted?: string;
  /** The environment's judgement of the task, when a task was given. */
  check?: CheckResult;
  usage: UsageCounters;
  episode: string;
  durationMs: number;
}

const DONE: Candidate = { call: { skill: 'done', args: {} }, text: 'done', source: 'primitive' };

export class SayCanAgent {
  constructor(private readonly options: SayCanOptions) {}

  async run(instruction: string, runOptions: { task?: Task; maxSteps?: number; signal?: AbortSignal } = {}): Promise<SayCanResult> {
    const { env, model } = this.options;
    const started = performance.now();
    const episode = randomUUID();
    const candidates = await this.candidates(instruction);
    const steps: SayCanStep[] = [];
    const history: string[] = [];
    let stopped: SayCanResult['stopped'] = 'max-steps';
    let error: SkillforgeError | undefined;
    const maxSteps = runOptions.maxSteps ?? this.options.maxSteps ?? 20;
    let interrupted: string | undefined;
    const signal = runOptions.signal;
    for (let index = 0; index < maxSteps; index++) {
      if (signal?.aborted) {
        interrupted = interruptionReason(signal.reason, signal)!;
        break;
      }
      const observation = await env.observe(); // closed loop: decide on the state as it is now
      let decision;
      try {
        decision = await this.decide(instruction, history, observation, candidates, signal);
      } catch (err) {
        error = err instanceof SkillforgeError ? err : new SkillforgeError('E_SAYCAN_SAY', `step ${index + 1}: ${errorMessage(err)}`, { cause: err });
        interrupted = interruptionReason(err, signal) ?? undefined;
        stopped = 'error';
        break;
      }
      const { chosen } = decision;
      const done = chosen.call.skill === 'done';
      const since = Date.now();
      const outcome = done ? null : await this.execute(chosen, signal);
      if (outcome) {
        // An aborted skill ends the run; a dropped connection (a rosbridge or server restart) says
        // nothing about the skill: the step is not remembered, and the closed loop observes again.
        if (signal?.aborted) {
          interrupted = interruptionReason(signal.reason, signal)!;
          break;
        }
        if (!env.interruptedSince?.(since)) this.remember(instruction, observation, chosen.call, outcome, episode, index);
      }
      if (outcome?.success) history.push(chosen.text);
      const step: SayCanStep = { index, observation: observation.text, candidates: candidates.length, ...decision, outcome };
      steps.push(step);
      this.options.onStep?.(step);
      if (done) {
        stopped = 'done';
        break;
      }
    }
    if (interrupted) stopped = 'interrupted';
    // An interrupted run is not judged: its task neither succeeded nor failed.
    const check = runOptions.task && !interrupted ? await env.check(runOptions.task) : undefined;
    return {
      instruction, steps, history, stopped, ...(error ? { error } : {}), ...(interrupted ? { interrupted } : {}), ...(check ? { check } : {}),
      usage: model.usage(), episode, durationMs: performance.now() - started,
    };
  }

  /** Ground the primitives and retrieve library skills (once per instruction: neither depends on the state). */
  async candidates(instruction: string): Promise<Candidate[]> {
    const { env, library, runSkill } = this.options;
    const list = groundPrimitives(this.options.primitives ?? env.primitives());
    if (library && runSkill) {
      const hits = await library.search(instruction, this.options.librarySkills ?? 5, { env: env.kind });
      list.push(...groundSkills(hits));
    }
    if (!list.some((c) => c.call.skill === 'done')) list.push(DONE);
    return list;
  }

  /** One decision: Can from preconditions and the affordance model, Say from the model, ranked. Executes nothing. */
  async decide(instruction: string, history: readonly string[], observation: Observation, candidates: readonly Candidate[], signal?: AbortSignal) {
    const { env, model, affordance } = this.options;
    const calls = candidates.map((c) => c.call);
    const pre = this.options.preconditions !== false && env.preconditions ? env.preconditions(observation, calls) : null;
    const learned = affordance ? await affordance.score(observation, calls) : null;
    const can = combinePreconditions(pre ?? undefined, learned ?? new Float32Array(calls.length).fill(1));
    // The agent's own 'done' (added when the environment has none, as in Minecraft) acts on no world: always possible.
    const own = candidates.indexOf(DONE);
    if (own >= 0) {
      can[own] = 1;
      if (pre) pre[own] = null;
    }
    let asked = candidates.map((_, i) => i);
    if (this.options.prefilter && can.some((c) => c > 0)) asked = asked.filter((i) => can[i]! > 0);
    const said = await model.scoreOptions(this.prompt(instruction, history, observation), asked.map((i) => candidates[i]!.text), { signal });
    checkSay(said?.probabilities, asked.length, model.id);
    const say = new Array<number>(candidates.length).fill(0);
    asked.forEach((i, j) => (say[i] = said.probabilities[j]!));
    const { top } = rankCandidates(candidates, say, can, pre, learned, this.options.topK ?? 5);
    return { asked: asked.length, sayMethod: said.method, top, chosen: top[0]! };
  }

  /** The SayCan prompt: few-shot examples, the scene, the instruction, and the plan so far ending in "n. ". */
  prompt(instruction: string, history: readonly string[], observation: Observation): string {
    const plan = history.map((h, i) => `${i + 1}. ${h}, `).join('') + `${history.length + 1}. `;
    return loadPrompt(this.options.prompt ?? 'saycan', this.options.promptDir).render({ instruction, history: plan, scene: observation.text });
  }

  private async execute(chosen: ScoredCandidate, signal?: AbortSignal): Promise<Outcome> {
    const { env, runSkill } = this.options;
    const started = performance.now();
    try {
      if (chosen.source === 'library' && chosen.skill && runSkill) return await runSkill(chosen.skill, chosen.call.args, { env, signal });
      return await env.execute(chosen.call, { signal });
    } catch (err) {
      return { success: false, error: errorMessage(err), events: [], durationMs: performance.now() - started };
    }
  }

  private remember(task: string, observation: Observation, call: SkillCall, outcome: Outcome, episode: string, step: number): void {
    this.options.memory?.append(attemptRecord({ agent: this.options.agent ?? 'saycan', env: this.options.env, task, observation, call, outcome, episode, step }));
  }
}
