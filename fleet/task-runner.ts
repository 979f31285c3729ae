/**
 * Runs one fleet task in a worker: a learning task through the Voyager-style learner (retrieve a
 * skill learned for it and re-check it, else write, run in the sandbox, criticise, store), or an
 * affordance-collection batch through random exploration, or an evolution-verification batch.
 * Kitchen worlds are made fresh for each task from its spec (the instruction's start state), so
 * tasks on one worker never see each other's state; a Minecraft worker keeps one world of its own
 * (embedded, or a server it joins) with one bot for all its tasks, as Voyager's agent does; a robot
 * worker starts a simulated robot (kits/robot.ts) for each task, from the task's kitchen state.
 *
 * Without a language model the writer is the kitchen planner baseline (the kitchen kit's PlanSkillWriter); with one
 * (`--llm`), the learner's model-backed writer and critic. Errors other workers collected for this
 * task arrive in `spec.context` and are shown to the writer (MindForge-style: learn from the
 * others' failures).
 *
 * @example
 * ```ts
 * const runner = new TaskRunner({ library, agent: 'w1', trust });
 * const outcome = await runner.run(spec, job.signal);
 * ```
 */
import { SkillforgeError, errorMessage } from '../core/errors.js';
import type { AttemptInput } from '../memory/episodic.js';
import type { LanguageModel } from '../agents/llm/model.js';
import { Critic } from '../agents/voyager/critic.js';
import { TaskListCurriculum, type ProposedTask } from '../agents/voyager/curriculum.js';
import { VoyagerLearner, type LearnerEvent } from '../agents/voyager/learner.js';
import { LlmSkillWriter, type SkillWriter } from '../agents/voyager/skill-writer.js';
import type { Environment } from '../envs/environment.js';
import { exploreRandomly } from '../agents/affordance/explore.js';
import { KitchenEnvironment } from '../envs/kitchen/environment.js';
import type { KitchenState } from '../envs/kitchen/world.js';
import type { SkillLibrary } from '../skills/library.js';
import { SkillRuntime } from '../skills/runtime/runtime.js';
import type { Skill } from '../skills/skill.js';
import { compositeOf } from '../agents/evolve/composite.js';
import { verifyComposite } from '../agents/evolve/verify.js';
import { sandboxSkillRunner } from '../agents/act/skill-runner.js';
import { PlanSkillWriter } from '../agents/voyager/plan-writer.js';
import { kit as kitchenKit } from '../kits/kitchen.js';
import type { EpisodeBatchSpec, FleetTaskSpec, LearnTaskSpec, VerifyBatchSpec } from './tasks.js';

export interface TaskOutcome {
  success: boolean;
  skill?: string;
  version?: number;
  /** A new skill version was written by this attempt. */
  created?: boolean;
  /** An existing skill (this worker's or another's) did the task. */
  reused?: boolean;
  rounds?: number;
  error?: string;
  /** Affordance batches: attempts recorded (written with the job's completion). */
  episodes?: AttemptInput[];
  /** Verification batches: the verdict (a skill that passed is verified in the library). */
  verification?: { passed: boolean; rate: number; trials: number };
}

export interface TaskRunnerOptions {
  library: SkillLibrary;
  agent: string;
  trust?: { status(skill: Skill): Skill['status']; markVerified(skill: Skill): Promise<void> };
  model?: LanguageModel;
  maxRounds?: number;
  skillTimeoutMs?: number;
  onEvent?: (event: LearnerEvent) => void;
  /** Minecraft workers: join this server instead of starting an embedded world of their own. */
  minecraft?: { host?: string; port?: number; seed?: number; skillTimeoutMs?: number };
  /** Robot workers: settings of the robot kit (kits/robot.ts), e.g. { simSpeed: 2 }. */
  robot?: Record<string, unknown>;
  /** Called as soon as a skill write has committed (before the learner records its run). */
  onCommitted?: (skill: { name: string; version: number; created: boolean }) => void;
}

export class TaskRunner {
  /** One sandbox per concurrent task: runtimes are reused, never shared between running tasks. */
  private readonly idle: SkillRuntime[] = [];
  private readonly all: SkillRuntime[] = [];
  private mc: Promise<{ env: import('../envs/minecraft/environment.js').MinecraftEnvironment; planner: import('../agents/voyager/offline-planner.js').OfflinePlanner }> | undefined;
  private mcBusy = false;

  constructor(private readonly o: TaskRunnerOptions) {}

  async run(spec: FleetTaskSpec, signal?: AbortSignal): Promise<TaskOutcome> {
    if (spec.env === 'minecraft' && spec.kind === 'learn') return this.learnMinecraft(spec, signal);
    if (spec.env === 'robot' && spec.kind === 'learn') return this.learnRobot(spec, signal);
    if (spec.env !== 'kitchen') {
      throw new SkillforgeError('E_FLEET_ENV', `this task needs a '${spec.env}' worker: ${spec.kind} tasks run on kitchen workers, learning tasks on kitchen, minecraft or robot workers`, {
        hint: 'queue affordance and verification batches with --env kitchen (docs/fleet.md)',
      });
    }
    if (spec.kind === 'affordance') return this.collect(spec);
    if (spec.kind === 'verify') return this.verify(spec, signal);
    return this.learn(spec, signal);
  }

  private async learn(spec: LearnTaskSpec, signal?: AbortSignal): Promise<TaskOutcome> {
    const env = new KitchenEnvironment(spec.initial ? { state: spec.initial as unknown as KitchenState } : {});
    try {
      const writer = this.o.model ? new LlmSkillWriter(this.o.model, { envGuide: kitchenKit.guide ?? '' }) : new PlanSkillWriter({ name: 'kitchen', planner: kitchenKit.planner!(), style: kitchenKit.callStyle });
      return await this.attemptTask(spec, env, writer, { maxRounds: this.o.maxRounds ?? 2, skillTimeoutMs: this.o.skillTimeoutMs ?? 30_000 }, signal);
    } finally {
      await env.close();
    }
  }

  /**
   * One try of a learning task in `env` (its world): the learner reuses a skill learned for the task
   * (re-checking it) or writes, runs and criticises for up to `maxRounds`. A failure is an outcome;
   * only an abort throws.
   */
  private async attemptTask(spec: LearnTaskSpec, env: Environment, writer: SkillWriter, limits: { maxRounds: number; skillTimeoutMs: number }, signal?: AbortSignal): Promise<TaskOutcome> {
    const runtime = this.idle.pop() ?? this.newRuntime();
    const task: ProposedTask = { description: spec.description, ...(spec.goal ? { goal: spec.goal } : {}), ...(spec.context ? { context: spec.context } : {}) };
    let stored: { version: number; created: boolean } | undefined;
    try {
      const learner = new VoyagerLearner({
        env,
        library: this.o.onCommitted ? committedHook(this.o.library, this.o.onCommitted) : this.o.library,
        runtime,
        curriculum: new TaskListCurriculum([task]),
        writer,
        critic: new Critic(env, this.o.model),
        agent: this.o.agent,
        trust: this.o.trust,
        ...limits,
        onEvent: (e) => {
          if (e.type === 'stored') stored = { version: e.version, created: e.created };
          this.o.onEvent?.(e);
        },
      });
      const r = await learner.attempt(task, signal);
      if (!r.success) return { success: false, rounds: r.rounds, error: r.error ?? 'the task was not achieved' };
      const skill = r.skill ? await this.o.library.get(r.skill) : undefined;
      return { success: true, skill: r.skill, version: stored?.version ?? skill?.version, created: stored?.created ?? false, reused: r.reused, rounds: r.rounds };
    } catch (err) {
      if (signal?.aborted) throw err;
      return { success: false, error: errorMessage(err) };
    } finally {
      this.idle.push(runtime);
    }
  }

  /** Random exploration; the attempts are returned, not written: the worker stores them with the job's completion. */
  private async collect(spec: EpisodeBatchSpec): Promise<TaskOutcome> {
    const episodes: AttemptInput[] = [];
    const stats = await exploreRandomly({
      attempts: spec.attempts,
      seed: spec.seed,
      agent: this.o.agent,
      episodePrefix: `${spec.id}:`,
      makeEnv: (e) => new KitchenEnvironment({ seed: `${spec.id}:${e}`, noise: spec.noise }),
      memory: {
        appendMany: (inputs) =>
          inputs.map((a) => {
            // Ids from the task and position: the same batch re-run after a crash yields the same ids.
            const id = `${a.episode ?? spec.id}:${a.step ?? episodes.length}:${episodes.length}`;
            episodes.push({ ...a, id });
            return id;
          }),
      },
    });
    return { success: stats.attempts > 0, episodes, ...(stats.attempts > 0 ? {} : { error: 'no attempts were recorded' }) };
  }

  /**
   * Evolution's check of a candidate composite on fresh episodes (agents/evolve/verify.ts). The
   * batch succeeds when it ran; its verdict is the result. A pass marks the skill verified (setting
   * a status it already has changes nothing, so a re-run after a crash is harmless).
   */
  private async verify(spec: VerifyBatchSpec, signal?: AbortSignal): Promise<TaskOutcome> {
    const skill = await this.o.library.get(spec.skill, spec.version);
    if (!skill) return { success: false, error: `${spec.skill} v${spec.version} is not in the library (removed?)` };
    if (!compositeOf(skill)) return { success: false, error: `${spec.skill} is not a composite skill: only evolved composites are verified on the queue` };
    const runtime = this.idle.pop() ?? this.newRuntime();
    try {
      const v = await verifyComposite(skill, {
        runSkill: sandboxSkillRunner(runtime, this.o.library),
        makeEnv: (i) => new KitchenEnvironment({ seed: `${spec.id}:${i}` }),
        trials: spec.trials,
        firstTrial: spec.firstTrial,
        signal,
      });
      if (v.passed && skill.status !== 'verified') await this.o.library.setStatus(skill.name, 'verified', skill.version);
      return { success: true, skill: skill.name, version: skill.version, verification: { passed: v.passed, rate: v.rate, trials: v.trials.length } };
    } finally {
      this.idle.push(runtime);
    }
  }

  /**
   * The worker's own Minecraft world (embedded, started on first use) or a shared server (`host`),
   * with one bot: Minecraft tasks run one at a time, in a world that keeps what earlier tasks
   * gathered, the way Voyager's agent lives on. The offline planner writes without a model.
   */
  private async learnMinecraft(spec: LearnTaskSpec, signal?: AbortSignal): Promise<TaskOutcome> {
    if (this.mcBusy) throw new SkillforgeError('E_FLEET_ENV', 'a Minecraft worker runs one task at a time (one bot, one world)', { hint: 'start it with --concurrency 1' });
    this.mcBusy = true;
    try {
      this.mc ??= (async () => {
        const [mc, voyager] = await Promise.all([import('../envs/minecraft/index.js'), import('../agents/voyager/offline-planner.js')]);
        const where = this.o.minecraft ?? {};
        const env = where.host
          ? await mc.createMinecraftEnvironment({ host: where.host, port: where.port ?? 25565, username: this.o.agent.slice(0, 16) })
          : await mc.createMinecraftEnvironment({ embedded: { seed: where.seed ?? 1 }, username: this.o.agent.slice(0, 16) });
        const tree = new mc.MinecraftTechTree(env.mcData.version?.minecraftVersion ?? '1.16.5');
        return { env, planner: new voyager.OfflinePlanner(tree, mc.minecraftSkillTemplates) };
      })();
      const { env, planner } = await this.mc;
      const writer = this.o.model ? new LlmSkillWriter(this.o.model, { envGuide: 'Minecraft through mineflayer: call the primitives with bot' }) : planner;
      return await this.attemptTask(spec, env, writer, { maxRounds: this.o.maxRounds ?? 3, skillTimeoutMs: this.o.minecraft?.skillTimeoutMs ?? 180_000 }, signal);
    } finally {
      this.mcBusy = false;
    }
  }

  /**
   * A simulated robot of the task's own (the robot kit: the kitchen robot over rosbridge, every
   * command through the safety layer), started from the task's kitchen state or from its id as the
   * seed, so concurrent tasks never share a world. Without a model the kitchen's plan writer writes
   * `robot.*` skills from the simulator's exact state.
   */
  private async learnRobot(spec: LearnTaskSpec, signal?: AbortSignal): Promise<TaskOutcome> {
    const { kit } = await import('../kits/robot.js');
    const session = await kit.open({ seed: spec.id, settings: { ...this.o.robot, ...(spec.initial ? { state: spec.initial } : {}) } });
    try {
      const writer = this.o.model ? new LlmSkillWriter(this.o.model, { envGuide: kit.guide ?? '' }) : session.offlineLearner!().writer;
      return await this.attemptTask(spec, session.env, writer, { maxRounds: this.o.maxRounds ?? 2, skillTimeoutMs: this.o.skillTimeoutMs ?? 120_000 }, signal);
    } finally {
      await session.close();
    }
  }

  private newRuntime(): SkillRuntime {
    const r = new SkillRuntime();
    this.all.push(r);
    return r;
  }

  async close(): Promise<void> {
    if (this.mc) await this.mc.then((m) => m.env.close(), () => undefined);
    await Promise.all(this.all.map((r) => r.close()));
  }
}

/** The library with `add` reporting each committed write (for the fleet's share-latency numbers). */
function committedHook(library: SkillLibrary, on: NonNullable<TaskRunnerOptions['onCommitted']>): SkillLibrary {
  return new Proxy(library, {
    get(target, prop) {
      if (prop === 'add') {
        return async (...args: Parameters<SkillLibrary['add']>) => {
          const r = await target.add(...args);
          on({ name: r.skill.name, version: r.skill.version, created: r.created });
          return r;
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
