/**
 * An offline baseline for SayCan's Say on any environment kit with an exact planner: the planner,
 * replanned from a fresh observation at every decision, scores its next call 1 and every other
 * option ~0. It is NOT a language model and says so (`id` 'offline:<kit>-planner'; chat and
 * structured answers refuse): it lets `skillforge saycan --llm offline` run end to end without a
 * model, and is an upper bound a language model's Say can be compared against.
 *
 * @example
 *   const say = new PlannerSay({ name: 'kitchen', planner: kit.planner(), observe: () => env.observe(), task, callOf });
 *   const agent = new SayCanAgent({ env, model: say });
 */
import { SkillforgeError } from '../../core/errors.js';
import type { Observation, SkillCall } from '../../core/types.js';
import type { Task } from '../../envs/environment.js';
import type { Planner } from '../act/planner.js';
import type { LanguageModel, OptionScores, UsageCounters } from '../llm/model.js';

export interface PlannerSayOptions {
  /** Names the baseline in its id: 'offline:<name>-planner'. */
  name: string;
  planner: Planner;
  /** The state now. */
  observe: () => Promise<Observation>;
  /** The task planned toward (may be set later with `setTask`). */
  task?: Task;
  /** The skill call an option's text stands for ('done' for the done option). */
  callOf: (text: string) => SkillCall | undefined;
}

const sameCall = (a: SkillCall, b: SkillCall) => a.skill === b.skill && JSON.stringify(Object.entries(a.args ?? {}).sort()) === JSON.stringify(Object.entries(b.args ?? {}).sort());

export class PlannerSay implements LanguageModel {
  /** Shown wherever a model id is printed: this is a planner, not a language model. */
  readonly id: string;
  readonly #options: PlannerSayOptions;
  readonly #usage: UsageCounters = { calls: 0, promptTokens: 0, completionTokens: 0, cacheHits: 0 };

  constructor(options: PlannerSayOptions) {
    this.#options = options;
    this.id = `offline:${options.name}-planner`;
  }

  setTask(task: Task): void {
    this.#options.task = task;
  }

  /** The planner's next call from the current state (null: the goal holds, or no plan exists). */
  async nextCall(): Promise<SkillCall | null> {
    const task = this.#options.task;
    if (!task) throw new SkillforgeError('E_OFFLINE', `the ${this.#options.name} planner baseline has no task to plan toward`);
    const plan = await this.#options.planner(await this.#options.observe(), task);
    return plan && plan.length ? plan[0]! : null;
  }

  async scoreOptions(_prompt: string, options: string[]): Promise<OptionScores> {
    this.#usage.calls++;
    const next = await this.nextCall();
    const pick = options.findIndex((text) => {
      const call = this.#options.callOf(text);
      if (!call) return false;
      return next === null ? call.skill === 'done' : sameCall(call, next);
    });
    // Not a probability model: the chosen option gets all the mass (a floor keeps SayCan's product defined).
    const logScores = options.map((_, i) => (i === pick ? 0 : -20));
    const exp = logScores.map((l) => Math.exp(l));
    const sum = exp.reduce((a, b) => a + b, 0);
    return { logScores, probabilities: exp.map((e) => e / sum), method: 'ranking' };
  }

  chat(): Promise<string> {
    return Promise.reject(new SkillforgeError('E_OFFLINE', `the offline ${this.#options.name} planner is not a language model: it only scores SayCan options`, { hint: 'name a model with --llm for commands that need text' }));
  }

  structured<T>(): Promise<T> {
    return this.chat() as Promise<never>;
  }

  usage(): UsageCounters {
    return { ...this.#usage };
  }

  /** Nothing to release (no model is loaded). */
  async close(): Promise<void> {}
}
