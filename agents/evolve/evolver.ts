/**
 * Bottom-up skill evolution ("Rethinking Agent Design: From Top-Down Workflows to Bottom-Up Skill
 * Evolution"): instead of a designer writing the workflow, the agent grows its skills from what it
 * did. The loop:
 *
 *   act       solve tasks with primitives + library composites (EvolvingAgent), every decision
 *             recorded in episodic memory and every composite outcome in the library's stats
 *   reflect   every `reflectEvery` episodes: read the trajectories back from memory and propose
 *             composites (StatisticalReflector, or LlmReflector with a language model)
 *   abstract  compile each proposal to code, run it in the sandbox on fresh episodes, store it
 *             as verified only when it works there (failed proposals are remembered, not stored)
 *   refine    composites whose recorded fitness dropped get a recovery learned from their failure
 *             errors, stored as the next version
 *   prune     composites that keep failing (after refinement had its chance) are deprecated
 *
 * Everything goes through the Environment contract; the caller supplies tasks (with a fresh
 * environment each), a planner and a factory of fresh episodes for verification.
 *
 * @example
 *   const evolver = new SkillEvolver({ env: 'kitchen', primitives, library, memory, runSkill, planner, trialEnv });
 *   await evolver.evolve(trainingTasks);
 *   const after = await evolver.evaluate(heldOut);
 */
import { interruptionReason } from '../interruption.js';
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../core/errors.js';
import { Random } from '../../core/random.js';
import type { Environment, Primitive, Task } from '../../envs/environment.js';
import type { EpisodicMemory } from '../../memory/episodic.js';
import type { SkillLibrary } from '../../skills/library.js';
import type { Skill } from '../../skills/skill.js';
import { announceSkill, type MessageBus } from '../bus.js';
import type { SkillRunner } from '../act/skill-runner.js';
import { specSignature } from './abstraction.js';
import { EvolvingAgent, type EpisodeResult, type EvolveStep, type Planner } from './agent.js';
import { compileComposite, compositeOf, draftSkill, type CallStyle, type CompositeSpec } from './composite.js';
import { StatisticalReflector, type Reflector } from './reflect.js';
import { refineComposite, type Refinement } from './refine.js';
import { trajectoriesFromMemory } from './trajectory.js';
import { fitness, type ArmStats } from './uct.js';
import { verifyComposite, type EnvFactory, type Verification } from './verify.js';

/** One task to solve: its description and checkable goal, and a fresh environment to solve it in. */
export interface EvolveTask {
  id: string;
  task: Task;
  makeEnv: () => Environment | Promise<Environment>;
}

export type EvolveEvent =
  | { type: 'episode'; index: number; id: string; text: string; solved: boolean; decisions: number; librarySize: number; steps: EvolveStep[] }
  | { type: 'reflect'; episodes: number; proposals: number; reflector: string; ms: number }
  | { type: 'abstracted'; skill: string; version: number; support?: number; verification: Verification }
  | { type: 'rejected'; skill: string; reason: string }
  | { type: 'refined'; refinement: Refinement }
  | { type: 'pruned'; skill: string; version: number; attempts: number; successes: number };

export interface EvolverOptions {
  /** Environment kind ('kitchen'): skills are stored and looked up under it. */
  env: string;
  primitives: readonly Primitive[];
  library: SkillLibrary;
  memory: EpisodicMemory;
  runSkill: SkillRunner;
  planner: Planner;
  /** Fresh episodes for verification and refinement (trial i must always give the same start). */
  trialEnv: EnvFactory;
  reflector?: Reflector;
  style?: CallStyle;
  /** Exploration probability while learning (default 0.1). */
  epsilon?: number;
  /** Reflect after this many episodes (default 10). */
  reflectEvery?: number;
  /** Fresh episodes a new composite is run on (default 3). */
  verifyTrials?: number;
  /** Fraction of them it must succeed in (default 1; lower it in noisy worlds, e.g. 5 trials at 0.6). */
  verifyMinRate?: number;
  /** Refine a composite whose success rate is below this after `refineAfter` attempts (0.9, 3). */
  refineBelow?: number;
  refineAfter?: number;
  /** Deprecate a composite whose success rate is below this after `pruneAfter` attempts (0.34, 6). */
  pruneBelow?: number;
  pruneAfter?: number;
  uctC?: number;
  maxSteps?: number;
  /** Consecutive failed decisions before an episode gives up (default: no limit). */
  maxFailures?: number;
  seed?: number;
  agent?: string;
  /** Announce every stored skill (new or refined) as `skill.learned` on this bus. */
  bus?: MessageBus;
  onEvent?: (event: EvolveEvent) => void;
}

export interface EvolveCounters {
  episodes: number;
  solved: number;
  decisions: number;
  abstracted: number;
  rejected: number;
  refined: number;
  pruned: number;
}

export interface Evaluation {
  tasks: number;
  solved: number;
  /** Decisions over solved tasks only. */
  decisions: number;
  decisionsPerSolved: number;
  /** Primitive steps those decisions covered. */
  primitiveSteps: number;
  results: EpisodeResult[];
}

export class SkillEvolver {
  readonly counters: EvolveCounters = { episodes: 0, solved: 0, decisions: 0, abstracted: 0, rejected: 0, refined: 0, pruned: 0 };
  private readonly rng: Random;
  private readonly primitiveStats = new Map<string, ArmStats>();
  private readonly solved = new Map<string, boolean>();
  private readonly rejectedSignatures = new Set<string>();
  private readonly refineTried = new Set<string>();
  private readonly reflector: Reflector;
  private readonly agentName: string;
  private trialCursor = 0;

  constructor(private readonly options: EvolverOptions) {
    this.rng = new Random(`evolve:${options.seed ?? 1}`);
    this.reflector = options.reflector ?? new StatisticalReflector();
    this.agentName = options.agent ?? 'evolve';
  }

  /** Solve the tasks in order, reflecting every `reflectEvery` episodes and once at the end. */
  async evolve(tasks: Iterable<EvolveTask> | AsyncIterable<EvolveTask>, options: { signal?: AbortSignal } = {}): Promise<EvolveCounters> {
    const every = this.options.reflectEvery ?? 10;
    let sinceReflect = 0;
    for await (const t of tasks) {
      // Simulated episodes are promise chains with no I/O: without a turn of the event loop a stop
      // signal (Ctrl-C, SIGTERM) would not be handled until every episode had run.
      await yieldToEventLoop();
      options.signal?.throwIfAborted();
      const result = await this.episode(t, { learn: true, signal: options.signal });
      // An episode cut short by the stop signal is not counted (its steps were not recorded either).
      options.signal?.throwIfAborted();
      this.counters.episodes++;
      this.counters.decisions += result.decisions;
      if (result.solved) this.counters.solved++;
      this.options.onEvent?.({
        type: 'episode',
        index: this.counters.episodes - 1,
        id: t.id,
        text: t.task.description,
        solved: result.solved,
        decisions: result.decisions,
        librarySize: await this.librarySize(),
        steps: result.steps,
      });
      if (++sinceReflect >= every) {
        sinceReflect = 0;
        await this.reflect(options.signal);
      }
    }
    if (sinceReflect > 0) await this.reflect(options.signal);
    return { ...this.counters };
  }

  /** Solve tasks greedily (no exploration, nothing recorded): the measurement of what was learned. */
  async evaluate(tasks: Iterable<EvolveTask>, options: { signal?: AbortSignal; useLibrary?: boolean } = {}): Promise<Evaluation> {
    const results: EpisodeResult[] = [];
    for (const t of tasks) {
      await yieldToEventLoop();
      options.signal?.throwIfAborted();
      results.push(await this.episode(t, { learn: false, signal: options.signal, useLibrary: options.useLibrary }));
      options.signal?.throwIfAborted();
    }
    const solved = results.filter((r) => r.solved);
    const decisions = solved.reduce((n, r) => n + r.decisions, 0);
    const primitiveSteps = solved.reduce((n, r) => n + r.steps.reduce((m, s) => m + s.covers, 0), 0);
    return { tasks: results.length, solved: solved.length, decisions, decisionsPerSolved: solved.length ? decisions / solved.length : Number.NaN, primitiveSteps, results };
  }

  private async episode(t: EvolveTask, o: { learn: boolean; signal?: AbortSignal; useLibrary?: boolean }): Promise<EpisodeResult> {
    const env = await t.makeEnv();
    try {
      const useLibrary = o.useLibrary !== false;
      const agent = new EvolvingAgent({
        env,
        planner: this.options.planner,
        ...(useLibrary ? { library: this.options.library, runSkill: this.options.runSkill } : {}),
        ...(o.learn ? { memory: this.options.memory } : {}),
        epsilon: o.learn ? (this.options.epsilon ?? 0.1) : 0,
        rng: this.rng,
        uctC: this.options.uctC,
        maxSteps: this.options.maxSteps,
        maxFailures: this.options.maxFailures,
        primitiveStats: this.primitiveStats,
        record: o.learn,
        agent: this.agentName,
      });
      const episode = `${this.agentName}-${randomUUID()}`;
      const result = await agent.run(t.task, { episode, signal: o.signal });
      if (o.learn) this.solved.set(episode, result.solved);
      return result;
    } finally {
      await env.close();
    }
  }

  private async librarySize(): Promise<number> {
    return (await this.options.library.list({ env: this.options.env, status: ['candidate', 'verified'] })).length;
  }

  /** One reflection cycle: abstract, verify, store; refine; prune. */
  async reflect(signal?: AbortSignal): Promise<void> {
    await this.abstract(signal);
    await this.refine(signal);
    await this.prune();
  }

  /** Propose composites from the recorded trajectories; store those that pass verification. */
  async abstract(signal?: AbortSignal): Promise<Skill[]> {
    const { library, env } = this.options;
    const t0 = performance.now();
    const trajectories = trajectoriesFromMemory(this.options.memory, { env, agent: this.agentName }, (e) => this.solved.get(e) ?? null);
    const all = await library.list({ env, allVersions: true });
    const existing = new Set(this.rejectedSignatures);
    for (const s of all) {
      const spec = compositeOf(s);
      if (spec) existing.add(specSignature(spec));
    }
    let specs: CompositeSpec[] = [];
    try {
      specs = await this.reflector.reflect(trajectories, { env, primitives: this.options.primitives, existing, names: new Set(all.map((s) => s.name)), signal });
    } catch (err) {
      // A model outage or a stop is no rejected proposal: the trajectories stay, reflection is retried.
      if (interruptionReason(err, signal)) throw err;
      this.options.onEvent?.({ type: 'rejected', skill: '(reflection)', reason: errorMessage(err) });
    }
    this.options.onEvent?.({ type: 'reflect', episodes: trajectories.length, proposals: specs.length, reflector: this.reflector.id, ms: performance.now() - t0 });
    const stored: Skill[] = [];
    for (const spec of specs) {
      const r = await this.abstractOne(spec, signal);
      if (r) stored.push(r);
    }
    return stored;
  }

  /** Compile, verify on fresh episodes, and store (verified) one proposal; null when it failed. */
  async abstractOne(spec: CompositeSpec, signal?: AbortSignal): Promise<Skill | null> {
    const { library, primitives } = this.options;
    const signature = specSignature(spec);
    let input;
    try {
      input = compileComposite(spec, primitives, { style: this.options.style, status: 'candidate', agent: this.agentName });
    } catch (err) {
      this.rejectedSignatures.add(signature);
      this.counters.rejected++;
      this.options.onEvent?.({ type: 'rejected', skill: spec.name, reason: errorMessage(err) });
      return null;
    }
    const trials = this.options.verifyTrials ?? 3;
    const verification = await verifyComposite(draftSkill(input), {
      runSkill: this.options.runSkill,
      makeEnv: this.options.trialEnv,
      trials,
      minRate: this.options.verifyMinRate,
      firstTrial: this.trialCursor,
      seed: this.options.seed,
      signal,
    });
    // Trials cut short by the stop signal verify nothing: no rejection, no statistics.
    signal?.throwIfAborted();
    this.trialCursor += trials;
    if (!verification.passed) {
      this.rejectedSignatures.add(signature);
      this.counters.rejected++;
      const why = (verification.trials.find((t) => !t.success)?.error ?? 'it failed').split('\n')[0]!.replace(/^Error: /, '');
      this.options.onEvent?.({ type: 'rejected', skill: spec.name, reason: `failed verification on fresh episodes (${Math.round(verification.rate * 100)}% passed): ${why}` });
      return null;
    }
    const { skill } = await library.add({ ...input, status: 'verified' });
    let stats = skill.stats;
    for (const t of verification.trials) stats = await library.record(skill.name, { success: t.success, durationMs: t.durationMs, ...(t.error ? { error: t.error } : {}) }, skill.version);
    this.counters.abstracted++;
    if (this.options.bus) announceSkill(this.options.bus, this.agentName, skill);
    this.options.onEvent?.({ type: 'abstracted', skill: skill.name, version: skill.version, ...(spec.support !== undefined ? { support: spec.support } : {}), verification });
    return { ...skill, stats };
  }

  /** Refine composites whose recorded success rate fell below `refineBelow`. */
  async refine(signal?: AbortSignal): Promise<Refinement[]> {
    const { library, env } = this.options;
    const out: Refinement[] = [];
    for (const skill of await library.list({ env, status: ['candidate', 'verified'] })) {
      const { attempts, successes } = skill.stats;
      if (attempts < (this.options.refineAfter ?? 3) || successes / attempts >= (this.options.refineBelow ?? 0.9)) continue;
      if (!compositeOf(skill)) continue;
      const key = `${skill.name}@${skill.version}`;
      if (this.refineTried.has(key)) continue;
      this.refineTried.add(key);
      const r = await refineComposite(skill, {
        runSkill: this.options.runSkill,
        makeEnv: this.options.trialEnv,
        primitives: this.options.primitives,
        library,
        style: this.options.style,
        seed: this.options.seed,
        agent: this.agentName,
        signal,
      });
      if (r.repaired) {
        this.counters.refined++;
        const stored = this.options.bus && r.to ? await library.get(skill.name, r.to) : undefined;
        if (stored) announceSkill(this.options.bus!, this.agentName, stored);
      }
      out.push(r);
      this.options.onEvent?.({ type: 'refined', refinement: r });
    }
    return out;
  }

  /** Deprecate composites that keep failing (their refinement, if any, was already tried). */
  async prune(): Promise<Skill[]> {
    return pruneFailing(this.options.library, {
      env: this.options.env,
      minAttempts: this.options.pruneAfter ?? 6,
      below: this.options.pruneBelow ?? 0.34,
      onPruned: (s) => {
        this.counters.pruned++;
        this.options.onEvent?.({ type: 'pruned', skill: s.name, version: s.version, attempts: s.stats.attempts, successes: s.stats.successes });
      },
    });
  }
}

/**
 * Deprecate the latest version of every skill of `env` whose recorded success rate is below `below`
 * after at least `minAttempts` attempts. Returns the deprecated skills.
 */
export async function pruneFailing(
  library: Pick<SkillLibrary, 'list' | 'deprecate'>,
  options: { env?: string; minAttempts?: number; below?: number; onPruned?: (skill: Skill) => void },
): Promise<Skill[]> {
  const out: Skill[] = [];
  for (const skill of await library.list({ ...(options.env ? { env: options.env } : {}), status: ['candidate', 'verified'] })) {
    const { attempts, successes } = skill.stats;
    if (attempts < (options.minAttempts ?? 6) || successes / attempts >= (options.below ?? 0.34)) continue;
    const d = await library.deprecate(skill.name, skill.version);
    out.push(d);
    options.onPruned?.(d);
  }
  return out;
}

/** A skill's fitness summary for reports. */
export function skillFitness(skill: Skill): { name: string; version: number; attempts: number; successes: number; fitness: number; status: string } {
  return { name: skill.name, version: skill.version, attempts: skill.stats.attempts, successes: skill.stats.successes, fitness: fitness(skill.stats), status: skill.status };
}

/** Let timers, I/O and signal handlers run before the next episode. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
