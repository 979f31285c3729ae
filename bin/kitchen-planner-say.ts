/**
 * An offline baseline for SayCan's Say on the simulated kitchen robot: the kitchen's exact
 * breadth-first planner (envs/kitchen/planner.ts), replanned from the simulator's true state at
 * every decision, scores its next action 1 and every other option ~0. It is NOT a language model
 * and says so (`id` 'offline:kitchen-planner'; chat and structured answers refuse): it exists so
 * `skillforge robot --llm offline` runs end to end without a model, and as an upper bound a
 * language model's Say can be compared against. It lives in bin/ because it joins the kitchen's
 * planner to agents/llm's model contract, which robots/ and envs/ may not import.
 *
 * @example
 * const say = new KitchenPlannerSay({ state: () => world.state, goal, callOf: (text) => byText.get(text) });
 * const agent = new SayCanAgent({ env, model: say });
 */
import { SkillforgeError } from '../core/errors.js';
import type { SkillCall } from '../core/types.js';
import type { KitchenGoal } from '../envs/kitchen/goals.js';
import { planKitchen } from '../envs/kitchen/planner.js';
import { preferFind } from '../envs/kitchen/task-planner.js';
import type { KitchenState } from '../envs/kitchen/world.js';
import type { LanguageModel, OptionScores, UsageCounters } from '../agents/llm/model.js';

export interface KitchenPlannerSayOptions {
  /** The world's exact state now (the simulator's). */
  state: () => KitchenState;
  /** The goal (may be set later with `setGoal`, once it is known). */
  goal?: KitchenGoal;
  /** The skill call an option's text stands for ('done' for the done option). */
  callOf: (text: string) => SkillCall | undefined;
}

const sameCall = (a: SkillCall, b: SkillCall) => a.skill === b.skill && JSON.stringify(Object.entries(a.args ?? {}).sort()) === JSON.stringify(Object.entries(b.args ?? {}).sort());

export class KitchenPlannerSay implements LanguageModel {
  /** Shown wherever a model id is printed: this is a planner, not a language model. */
  readonly id = 'offline:kitchen-planner';
  readonly #options: KitchenPlannerSayOptions;
  readonly #usage: UsageCounters = { calls: 0, promptTokens: 0, completionTokens: 0, cacheHits: 0 };

  constructor(options: KitchenPlannerSayOptions) {
    this.#options = options;
  }

  setGoal(goal: KitchenGoal): void {
    this.#options.goal = goal;
  }

  /** The planner's next action from the current state (null: the goal holds, or no plan exists). */
  nextAction(): SkillCall | null {
    const goal = this.#options.goal;
    if (!goal) throw new SkillforgeError('E_OFFLINE', 'the kitchen planner baseline has no goal to plan toward');
    const state = this.#options.state();
    const plan = planKitchen(state, goal);
    if (!plan || plan.length === 0) return null;
    return preferFind(state, plan)[0] as SkillCall;
  }

  async scoreOptions(_prompt: string, options: string[]): Promise<OptionScores> {
    this.#usage.calls++;
    const next = this.nextAction();
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
    return Promise.reject(new SkillforgeError('E_OFFLINE', 'the offline kitchen planner is not a language model: it only scores SayCan options', { hint: 'name a model with --llm for commands that need text' }));
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
