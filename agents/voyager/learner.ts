/**
 * The Voyager-style lifelong learner. One iteration:
 *
 *   task      = curriculum.next(observation, completed, failed)
 *   skills    = library.search(task)                       (top-k verified skills)
 *   reuse a skill learned for this very task, if there is one, else for up to N rounds:
 *     code    = writer.write(task, observation, skills, previous round's code/error/events/critique)
 *     result  = runtime.run(code + the skills it calls)     (sandboxed, time-limited)
 *     verdict = critic.judge(task, new observation)          (programmatic check, then model)
 *     success -> store the skill as verified (with provenance and stats) and stop
 *   remember the attempt; update completed/failed; save state (so a restart resumes)
 *
 * The learner knows environments only through the Environment contract and models only through the
 * Curriculum / SkillWriter / Critic interfaces, so the same loop runs a language model or the offline
 * planner, in Minecraft or in a simulator.
 *
 * @example
 * ```ts
 * const learner = new VoyagerLearner({ env, library, runtime, curriculum, writer, critic: new Critic(env, model), agent: 'steve' });
 * const summary = await learner.learn({ iterations: 10 });
 * ```
 */
import type { Observation } from '../../core/types.js';
import type { Environment } from '../../envs/environment.js';
import type { SkillLibrary } from '../../skills/library.js';
import type { Skill } from '../../skills/skill.js';
import { parseSkillCode } from '../../skills/code.js';
import type { SkillRuntime } from '../../skills/runtime/runtime.js';
import type { EpisodicMemory } from '../../memory/episodic.js';
import { errorMessage } from '../../core/errors.js';
import { AttemptInterrupted, interruptionReason, throwIfInterrupted } from '../interruption.js';
import { StructuredOutputError, isModelOutage } from '../llm/errors.js';
import type { Curriculum, ProposedTask } from './curriculum.js';
import type { PreviousRound, SkillWriter, WrittenSkill } from './skill-writer.js';
import type { Critic, Verdict } from './critic.js';
import { runSkillCode, type SkillCode } from '../act/skill-runner.js';
import { attemptRecord } from '../act/attempt.js';
import { emptyState, loadState, saveState, type LearnerState } from './state.js';

export type LearnerEvent =
  | { type: 'task'; iteration: number; task: ProposedTask }
  | { type: 'reuse'; skill: string }
  | { type: 'round'; round: number; skill: string }
  | { type: 'verdict'; round: number; verdict: Verdict; error?: string }
  | { type: 'stored'; skill: string; version: number; created: boolean }
  | { type: 'verified'; skill: string; version: number }
  | { type: 'done'; task: string; success: boolean; rounds: number; librarySize: number; interrupted?: string }
  | { type: 'milestone'; name: string; iteration: number; elapsedMs: number };

export interface LearnerOptions {
  env: Environment;
  library: SkillLibrary;
  runtime: SkillRuntime;
  curriculum: Curriculum;
  writer: SkillWriter;
  critic: Critic;
  agent: string;
  memory?: EpisodicMemory;
  /** Where the curriculum state lives (resume). Without it, state is kept in memory only. */
  statePath?: string;
  /** Rounds of write-run-critique per task (Voyager: 4). */
  maxRounds?: number;
  /** Skills retrieved for the writer (Voyager: 5). */
  retrieveK?: number;
  /** Per skill run. Default 5 minutes. */
  skillTimeoutMs?: number;
  /** Describe a verified skill for retrieval; default: the writer's explanation. */
  describe?: (written: WrittenSkill, task: ProposedTask) => Promise<string>;
  /**
   * This agent's view of skills others wrote (skills/trust.ts AgentTrust): a skill counts as verified
   * only if this agent verified it or trusts its writer. Without it, the library's status is taken as is.
   */
  trust?: { status(skill: Skill): Skill['status']; markVerified(skill: Skill): Promise<void> };
  /** Names of milestones the observation shows reached (e.g. tools in the inventory). */
  milestones?: (observation: Observation) => string[];
  onEvent?: (event: LearnerEvent) => void;
}

export interface TaskResult {
  task: string;
  success: boolean;
  rounds: number;
  /** The skill that solved it: stored new, or reused from the library. */
  skill?: string;
  reused: boolean;
  error?: string;
  /**
   * Why the attempt was interrupted (stop signal, model outage, environment dropped). An
   * interrupted task is neither completed nor failed: it is tried again later.
   */
  interrupted?: string;
}

export interface LearnSummary {
  iterations: number;
  results: TaskResult[];
  state: LearnerState;
}

/** Provenance marker: which task a skill was learned for, so the same task later reuses it. */
const TASK_SOURCE = 'task:';

export class VoyagerLearner {
  readonly state: LearnerState;
  private readonly o: Required<Pick<LearnerOptions, 'maxRounds' | 'retrieveK' | 'skillTimeoutMs'>> & LearnerOptions;
  private readonly primitiveNames: Set<string>;

  constructor(options: LearnerOptions) {
    this.o = { maxRounds: 4, retrieveK: 5, skillTimeoutMs: 300_000, ...options };
    this.state = options.statePath ? loadState(options.statePath, options.agent) : emptyState(options.agent);
    this.primitiveNames = new Set(options.env.primitives().map((p) => p.name));
  }

  /**
   * Run the curriculum for `iterations` tasks (or until it has none left, or the signal fires).
   * Throws a model outage that outlasted the model's retries and pause (the interrupted task is
   * saved as such first); stops after `maxInterruptions` environment interruptions in a row.
   */
  async learn(options: { iterations: number; signal?: AbortSignal; maxInterruptions?: number }): Promise<LearnSummary> {
    const results: TaskResult[] = [];
    let inARow = 0;
    for (let i = 0; i < options.iterations && !options.signal?.aborted; i++) {
      const result = await this.step(options.signal);
      if (!result) break;
      results.push(result);
      inARow = result.interrupted ? inARow + 1 : 0;
      if (inARow >= (options.maxInterruptions ?? 3)) break;
    }
    return { iterations: results.length, results, state: this.state };
  }

  /** One iteration: ask the curriculum, attempt the task, record and save. Null when nothing is left. */
  async step(signal?: AbortSignal): Promise<TaskResult | null> {
    const started = Date.now();
    const observation = await this.o.env.observe();
    const task = await this.o.curriculum.next({
      observation,
      completed: this.state.completed,
      failed: this.state.failed,
      iteration: this.state.iterations,
    });
    if (!task) return null;
    this.emit({ type: 'task', iteration: this.state.iterations + 1, task });
    let result: TaskResult;
    try {
      result = await this.attempt(task, signal);
    } catch (err) {
      const why = interruptionReason(err, signal);
      if (!why) throw err;
      // Not a curriculum entry: neither completed nor failed, no iteration counted; tried again.
      this.state.elapsedMs += Date.now() - started;
      const interrupted = (this.state.interrupted ??= []);
      if (!interrupted.includes(task.description)) interrupted.push(task.description);
      this.save();
      result = { task: task.description, success: false, rounds: 0, reused: false, interrupted: why };
      this.emit({ type: 'done', task: result.task, success: false, rounds: 0, librarySize: await this.o.library.count(), interrupted: why });
      // A model that stayed down past its pause ends the run (the command says why); a stop
      // signal or a dropped environment returns, and the caller decides.
      if (isModelOutage(err)) throw err;
      return result;
    }
    this.state.iterations++;
    this.state.elapsedMs += Date.now() - started;
    const list = result.success ? this.state.completed : this.state.failed;
    if (!list.includes(task.description)) list.push(task.description);
    if (result.success) this.state.failed = this.state.failed.filter((t) => t !== task.description);
    if (this.state.interrupted) this.state.interrupted = this.state.interrupted.filter((t) => t !== task.description);
    await this.noteMilestones();
    this.save();
    return result;
  }

  /** One task: reuse a skill learned for it, else write, run and criticise for up to maxRounds. */
  async attempt(task: ProposedTask, signal?: AbortSignal): Promise<TaskResult> {
    const { env, library } = this.o;
    const hits = (await library.search(task.description, this.o.retrieveK, { env: env.kind })).map((h) => h.skill);
    const usable = hits.filter((s) => this.statusOf(s) !== 'deprecated');
    // Only skills this agent counts as verified go to the writer: untrusted code is no example to learn from.
    const retrieved = usable.filter((s) => this.statusOf(s) === 'verified');
    const learnedForTask = usable.find((s) => s.provenance.source === TASK_SOURCE + task.description);
    if (learnedForTask) {
      this.emit({ type: 'reuse', skill: learnedForTask.name });
      const { verdict, error } = await this.runAndJudge(task, learnedForTask, 0, signal);
      if (verdict.success) {
        await this.verifyLocally(learnedForTask);
        return this.finish({ task: task.description, success: true, rounds: 0, skill: learnedForTask.name, reused: true });
      }
      // The old skill no longer works here: fall through and write a new version from its failure.
      return this.writeRounds(task, retrieved, { code: learnedForTask.code, error, events: [], critique: verdict.critique }, signal);
    }
    return this.writeRounds(task, retrieved, undefined, signal);
  }

  private statusOf(skill: Skill): Skill['status'] {
    return this.o.trust ? this.o.trust.status(skill) : skill.status;
  }

  /** A candidate (imported, or from an agent not trusted) that just passed its check is verified now. */
  private async verifyLocally(skill: Skill): Promise<void> {
    if (this.statusOf(skill) === 'verified') return;
    if (this.o.trust) await this.o.trust.markVerified(skill);
    else await this.o.library.setStatus(skill.name, 'verified', skill.version);
    this.emit({ type: 'verified', skill: skill.name, version: skill.version });
  }

  private async writeRounds(task: ProposedTask, retrieved: Skill[], previous: PreviousRound | undefined, signal?: AbortSignal): Promise<TaskResult> {
    let lastError: string | undefined;
    for (let round = 1; round <= this.o.maxRounds && !signal?.aborted; round++) {
      let written: WrittenSkill;
      try {
        written = await this.o.writer.write({
          task, env: this.o.env.kind, observation: await this.o.env.observe(), primitives: this.o.env.primitives(),
          skills: retrieved, previous, round,
        });
      } catch (err) {
        // An outage or a stop is no round of this task; malformed model output never runs and only costs the round.
        if (interruptionReason(err, signal)) throw err;
        lastError = `the skill writer failed: ${errorMessage(err)}`;
        previous = { code: previous?.code ?? '', error: lastError, events: [], critique: previous?.critique };
        continue;
      }
      if (written.reused) {
        const skill = await this.o.library.get(written.reused);
        if (skill) written = { ...written, name: skill.name, code: skill.code };
      }
      this.emit({ type: 'round', round, skill: written.name });
      const { verdict, error, events, durationMs } = await this.runAndJudge(task, { name: written.name, code: written.code }, round, signal);
      if (verdict.success) {
        if (written.reused) {
          return this.finish({ task: task.description, success: true, rounds: round, skill: written.name, reused: true });
        }
        await this.store(written, task, durationMs);
        return this.finish({ task: task.description, success: true, rounds: round, skill: written.name, reused: false });
      }
      lastError = error ?? verdict.critique;
      previous = { code: written.code, error, events, critique: verdict.critique };
    }
    return this.finish({ task: task.description, success: false, rounds: this.o.maxRounds, reused: false, error: lastError });
  }

  /**
   * Run a skill (acting: the same runner and binding rule SayCan and evolution use; a written skill's
   * library calls come with it) in the sandbox, then ask the critic.
   */
  private async runAndJudge(task: ProposedTask, skill: SkillCode, round: number, signal?: AbortSignal) {
    const { env, library, runtime } = this.o;
    const { name, code } = skill;
    const since = Date.now();
    const outcome = await runSkillCode(runtime, library, skill, {}, { env, signal }, { timeoutMs: this.o.skillTimeoutMs, agent: this.o.agent });
    // Aborted or cut off by a server restart: the run says nothing about the skill. Nothing is
    // judged or recorded (memory, library statistics); the task is retried.
    throwIfInterrupted(env, since, signal);
    const observation = await env.observe();
    const events = [...(env.recentEvents?.(since).map((e) => e.text) ?? []), ...outcome.events.map((e) => e.text)];
    const error = outcome.success ? undefined : outcome.error;
    let verdict: Verdict;
    try {
      verdict = await this.o.critic.judge({ task, observation, events, error });
    } catch (err) {
      // A critic model that answered garbage (after its structured retries) judged nothing: the
      // round is interrupted, not failed, and nothing is recorded. Outages pass through as they are.
      if (err instanceof StructuredOutputError) throw new AttemptInterrupted(`the critic gave no valid verdict: ${err.message.split('\n')[0]}`, err);
      throw err;
    }
    this.emit({ type: 'verdict', round, verdict, error });
    // The critic's verdict is the outcome remembered: a run that returned is not yet a task done.
    const judged = { success: verdict.success, error: error ?? (verdict.success ? undefined : verdict.critique), durationMs: outcome.durationMs };
    await this.o.memory?.append(attemptRecord({ agent: this.o.agent, env, task: task.description, observation, call: { skill: name, args: {} }, outcome: judged }));
    const existing = await library.get(name);
    if (existing && existing.code === code) {
      await library.record(name, { success: verdict.success, durationMs: outcome.durationMs, error: error ?? undefined });
    }
    return { verdict, error, events, durationMs: outcome.durationMs };
  }

  private async store(written: WrittenSkill, task: ProposedTask, durationMs: number): Promise<void> {
    const { library, env } = this.o;
    const parsed = parseSkillCode(written.code, written.name);
    const dependencies: string[] = [];
    for (const callee of [...parsed.calls].sort()) {
      if (callee !== written.name && !this.primitiveNames.has(callee) && (await library.get(callee))) dependencies.push(callee);
    }
    const description = this.o.describe ? await this.o.describe(written, task) : (written.explanation || task.description);
    const { skill, created } = await library.add({
      name: written.name,
      description,
      code: written.code,
      env: env.kind,
      dependencies,
      // A writer that knows the skill's parameters (the plan writer) says so: SayCan and the writer can reuse it with arguments.
      ...(written.params ? { params: written.params } : {}),
      status: 'verified',
      provenance: { agent: this.o.agent, model: this.o.writer.id, source: TASK_SOURCE + task.description },
    });
    // Identical code already in the library had its run recorded by runAndJudge: count it once.
    if (created) await library.record(skill.name, { success: true, durationMs }, skill.version);
    this.emit({ type: 'stored', skill: skill.name, version: skill.version, created });
  }

  private async finish(result: TaskResult): Promise<TaskResult> {
    this.emit({ type: 'done', task: result.task, success: result.success, rounds: result.rounds, librarySize: await this.o.library.count() });
    return result;
  }

  private async noteMilestones(): Promise<void> {
    if (!this.o.milestones) return;
    const reached = this.o.milestones(await this.o.env.observe());
    for (const name of reached) {
      if (this.state.milestones.some((m) => m.name === name)) continue;
      const m = { name, iteration: this.state.iterations, elapsedMs: this.state.elapsedMs };
      this.state.milestones.push(m);
      this.emit({ type: 'milestone', ...m });
    }
  }

  private save(): void {
    if (this.o.statePath) saveState(this.o.statePath, this.state);
  }

  private emit(event: LearnerEvent): void {
    this.o.onEvent?.(event);
  }
}
