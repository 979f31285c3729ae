/**
 * The evolving agent: solves one task at a time with the environment's primitives and the
 * composites in the library, recording every decision.
 *
 * Without a language model its guide is a `Planner` the environment supplies (its own knowledge,
 * e.g. the kitchen's exact breadth-first planner): at each step it re-plans from the observed
 * state, and every stored composite whose expansion (nominal, or through a learned recovery)
 * matches the start of the plan is a candidate next to the plan's first primitive. UCT over the
 * composites' recorded outcomes picks the best (ties: the longer one), and it is taken when its UCT
 * value reaches the plan step's own success rate: one decision then covers several primitive steps,
 * an untried composite gets tried, and one that keeps failing falls back to the plan. With
 * probability `epsilon` it explores instead: a random feasible primitive call or a random grounding
 * of a library skill, which is how composites meet the situations they fail in.
 *
 * @example
 *   const agent = new EvolvingAgent({ env, planner, library, runSkill, memory, epsilon: 0.1 });
 *   const r = await agent.run({ description: 'bring me an apple', goal: { userHas: 'apple' } });
 *   console.log(r.solved, r.decisions);
 */
import { randomUUID } from 'node:crypto';
import { throwIfInterrupted } from '../interruption.js';
import { errorMessage } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import type { JsonValue, Observation, Outcome, SkillCall } from '../../core/types.js';
import type { Environment, Task } from '../../envs/environment.js';
import type { SkillStats, Skill } from '../../skills/skill.js';
import { attemptRecord, type AttemptSink } from '../act/attempt.js';
import type { SkillRunner } from '../act/skill-runner.js';
import { groundArguments } from '../act/grounding.js';
import { compositeOf, expansions, matchPrefix, type CompositeSpec } from './composite.js';
import { selectUct, type ArmStats } from './uct.js';

export type { Planner } from '../act/planner.js';
import type { Planner } from '../act/planner.js';

/** Where library skills come from and where their outcomes go (SkillLibrary fits). */
export interface SkillPool {
  list(filter: { env?: string; status?: readonly ('candidate' | 'verified' | 'deprecated')[] }): Promise<Skill[]>;
  record(name: string, outcome: { success: boolean; durationMs: number; error?: string }, version?: number): Promise<SkillStats>;
}

export interface EvolvingAgentOptions {
  env: Environment;
  planner: Planner;
  library?: SkillPool;
  /** Runs library skills (sandboxSkillRunner). Required to use any library skill. */
  runSkill?: SkillRunner;
  memory?: AttemptSink;
  /** Probability of an exploratory decision (default 0). */
  epsilon?: number;
  rng?: Random;
  /** UCT exploration constant (default √2). */
  uctC?: number;
  /** Decisions per task before giving up (default 25). */
  maxSteps?: number;
  /** Consecutive failed decisions before giving up on the task (default: no limit). Worlds whose failures cost tens of seconds set it. */
  maxFailures?: number;
  /** Outcome counts of primitives, shared across episodes (the primitive arm of UCT). */
  primitiveStats?: Map<string, ArmStats>;
  /** Record outcomes into the library and memory (default true; off for clean evaluations). */
  record?: boolean;
  agent?: string;
  /** Called after every decision. */
  onStep?: (step: EvolveStep) => void;
}

export interface EvolveStep {
  index: number;
  call: SkillCall;
  source: 'primitive' | 'library';
  /** Why it was chosen. */
  reason: 'plan' | 'composite' | 'explore' | 'done';
  version?: number;
  success: boolean;
  error?: string;
  /** Primitive steps the decision covered (a composite's expansion length). */
  covers: number;
}

export interface EpisodeResult {
  episode: string;
  task: string;
  solved: boolean;
  /** Decisions taken, 'done' included. */
  decisions: number;
  steps: EvolveStep[];
  stopped: 'done' | 'max-steps' | 'no-plan' | 'failures';
  reason: string;
}

interface Arm extends ArmStats {
  priority: number;
  call: SkillCall;
  skill?: Skill;
}

export class EvolvingAgent {
  private readonly rng: Random;
  private readonly primitiveStats: Map<string, ArmStats>;

  constructor(private readonly options: EvolvingAgentOptions) {
    this.rng = options.rng ?? new Random(1);
    this.primitiveStats = options.primitiveStats ?? new Map();
  }

  async run(task: Task, runOptions: { episode?: string; signal?: AbortSignal } = {}): Promise<EpisodeResult> {
    const { env, planner } = this.options;
    const episode = runOptions.episode ?? randomUUID();
    const hasDone = env.primitives().some((p) => p.name === 'done');
    const skills = await this.skills();
    const steps: EvolveStep[] = [];
    let stopped: EpisodeResult['stopped'] = 'max-steps';
    const maxSteps = this.options.maxSteps ?? 25;
    for (let index = 0; index < maxSteps; index++) {
      runOptions.signal?.throwIfAborted();
      const observation = await env.observe();
      const plan = await planner(observation, task);
      if (plan === null) {
        stopped = 'no-plan';
        break;
      }
      if (plan.length === 0) {
        const call: SkillCall = { skill: 'done', args: {} };
        if (hasDone) await this.execute(task, observation, call, undefined, episode, index, runOptions.signal);
        steps.push({ index, call, source: 'primitive', reason: 'done', success: true, covers: 0 });
        this.options.onStep?.(steps[steps.length - 1]!);
        stopped = 'done';
        break;
      }
      const explore = (this.options.epsilon ?? 0) > 0 && this.rng.next() < this.options.epsilon!;
      const arm = explore ? this.exploreArm(observation, skills) ?? this.planArm(plan, skills) : this.planArm(plan, skills);
      const outcome = await this.execute(task, observation, arm.call, arm.skill, episode, index, runOptions.signal);
      const step: EvolveStep = {
        index,
        call: arm.call,
        source: arm.skill ? 'library' : 'primitive',
        reason: explore ? 'explore' : arm.skill ? 'composite' : 'plan',
        ...(arm.skill ? { version: arm.skill.version } : {}),
        success: outcome.success,
        ...(outcome.error ? { error: outcome.error } : {}),
        covers: arm.skill ? arm.priority : 1,
      };
      steps.push(step);
      this.options.onStep?.(step);
      const limit = this.options.maxFailures;
      if (limit !== undefined && steps.length >= limit && steps.slice(-limit).every((s) => !s.success)) {
        stopped = 'failures';
        break;
      }
    }
    const check = await env.check(task);
    return { episode, task: task.description, solved: check.success === true, decisions: steps.length, steps, stopped, reason: check.reason };
  }

  /** Usable library skills of this environment (latest versions, not deprecated). */
  private async skills(): Promise<{ skill: Skill; spec: CompositeSpec | null }[]> {
    const { library, runSkill, env } = this.options;
    if (!library || !runSkill) return [];
    const list = await library.list({ env: env.kind, status: ['candidate', 'verified'] });
    return list.map((skill) => ({ skill, spec: compositeOf(skill) }));
  }

  /** The plan's first primitive and every composite matching the plan's start, chosen by UCT. */
  private planArm(plan: readonly SkillCall[], skills: readonly { skill: Skill; spec: CompositeSpec | null }[]): Arm {
    const first = plan[0]!;
    // The plan's own step is the default and needs no exploring: it is valued at its success rate
    // (1 while unknown). Composites are valued by UCT and win when that reaches the default.
    const ps = this.primitiveStats.get(first.skill);
    const primitive: Arm = { successes: ps?.successes ?? 1, attempts: ps?.attempts ?? 1, priority: 1, call: first };
    const arms: Arm[] = [];
    for (const { skill, spec } of skills) {
      if (!spec) continue;
      let best: { args: Record<string, JsonValue>; length: number } | null = null;
      for (const pattern of expansions(spec)) {
        if (best && pattern.length <= best.length) continue;
        const args = matchPrefix(spec, pattern, plan);
        if (args) best = { args, length: pattern.length };
      }
      if (!best || best.length < 2) continue;
      arms.push({ successes: skill.stats.successes, attempts: skill.stats.attempts, priority: best.length, call: { skill: skill.name, args: best.args }, skill });
    }
    if (arms.length === 0) return primitive;
    const total = primitive.attempts + arms.reduce((n, a) => n + a.attempts, 0);
    const { index, values } = selectUct(arms, { c: this.options.uctC, total });
    return values[index]! >= primitive.successes / Math.max(1, primitive.attempts) ? arms[index]! : primitive;
  }

  /** A random feasible primitive call, or a random grounding of a library skill. */
  private exploreArm(observation: Observation, skills: readonly { skill: Skill; spec: CompositeSpec | null }[]): Arm | null {
    const { env } = this.options;
    const useSkill = skills.length > 0 && this.rng.next() < 0.5;
    if (useSkill) {
      const { skill, spec } = this.rng.pick(skills);
      const combos = groundArguments(skill.params ?? {});
      if (combos && combos.length) return { successes: 0, attempts: 0, priority: spec ? spec.steps.length : 1, call: { skill: skill.name, args: this.rng.pick(combos) }, skill };
    }
    const calls: SkillCall[] = [];
    for (const p of env.primitives()) {
      if (p.name === 'done') continue;
      for (const args of groundArguments(p.params) ?? []) calls.push({ skill: p.name, args });
    }
    if (!calls.length) return null;
    const ok = env.preconditions ? env.preconditions(observation, calls) : calls.map(() => null);
    const feasible = calls.filter((_, i) => ok[i] !== false);
    return { successes: 0, attempts: 0, priority: 1, call: this.rng.pick(feasible.length ? feasible : calls) };
  }

  private async execute(task: Task, observation: Observation, call: SkillCall, skill: Skill | undefined, episode: string, step: number, signal?: AbortSignal): Promise<Outcome> {
    const { env, runSkill, library, memory } = this.options;
    const record = this.options.record !== false;
    const started = performance.now();
    const since = Date.now();
    let outcome: Outcome;
    try {
      outcome = skill && runSkill ? await runSkill(skill, call.args, { env, signal }) : await env.execute(call, { signal });
    } catch (err) {
      outcome = { success: false, error: errorMessage(err), events: [], durationMs: performance.now() - started };
    }
    // Aborted, or the environment dropped: no statistic, no memory; the episode ends as interrupted (thrown).
    throwIfInterrupted(env, since, signal);
    if (!record) return outcome;
    if (skill && library) {
      skill.stats = await library.record(skill.name, { success: outcome.success, durationMs: outcome.durationMs, ...(outcome.error ? { error: outcome.error.slice(0, 3000) } : {}) }, skill.version);
    } else if (!skill) {
      const s = this.primitiveStats.get(call.skill) ?? { successes: 0, attempts: 0 };
      this.primitiveStats.set(call.skill, { successes: s.successes + (outcome.success ? 1 : 0), attempts: s.attempts + 1 });
    }
    memory?.append(attemptRecord({ agent: this.options.agent ?? 'evolve', env, task: task.description, observation, call, outcome, episode, step }));
    return outcome;
  }
}
