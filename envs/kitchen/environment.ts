/**
 * The kitchen as an `Environment`: a thin stateful wrapper around the pure world model in
 * world.ts. It validates calls against the primitives' schemas, keeps the current state, and
 * answers `preconditions()` exactly from the state inside an observation.
 *
 * @example
 *   const env = new KitchenEnvironment({ seed: 7 });
 *   await env.execute({ skill: 'find', args: { object: 'apple' } });
 *   const { success } = await env.check({ description: 'bring me an apple', goal: { userHas: 'apple' } });
 */
import { SkillforgeError } from '../../core/errors.js';
import type { EnvEvent, JsonValue, Observation, Outcome, SkillCall } from '../../core/types.js';
import { describeErrors, ajv } from '../../core/validate.js';
import { SANDBOX_API, type CheckResult, type Environment, type ExecuteOptions, type Primitive, type SandboxApi, type Task } from '../environment.js';
import { commandSandboxApi } from '../command-sandbox-api.js';
import { HOUSEHOLD_COMMANDS, householdEndowment } from './vocabulary.js';
import { checkGoal, validateKitchenGoal } from './goals.js';
import { SAYCAN_KITCHEN, type KitchenLayout } from './layout.js';
import { kitchenObservation, stateFromObservation } from './observation.js';
import { kitchenPrimitives } from './primitives.js';
import { describe as describeAction, initialState, step, whyNot, type KitchenState } from './world.js';
import type { ValidateFunction } from 'ajv';

export interface KitchenEnvironmentOptions {
  /** Seed of the start state (ignored when `state` is given). Default 0. */
  seed?: number | string;
  /** Start from this exact state (e.g. an instruction's `initial`). */
  state?: KitchenState;
  /** Failure probability scale of feasible actions (default 0: deterministic). */
  noise?: number;
  layout?: KitchenLayout;
}

export class KitchenEnvironment implements Environment {
  readonly kind = 'kitchen';
  readonly id: string;
  readonly layout: KitchenLayout;
  private current: KitchenState;
  private readonly validators = new Map<string, ValidateFunction>();
  private closed = false;

  constructor(options: KitchenEnvironmentOptions = {}) {
    this.layout = options.layout ?? SAYCAN_KITCHEN;
    this.current = options.state
      ? { ...structuredClone(options.state), ...(options.noise !== undefined ? { noise: options.noise } : {}) }
      : initialState(options.seed ?? 0, { noise: options.noise, layout: this.layout });
    if (this.current.layout !== this.layout.version) {
      throw new SkillforgeError('E_KITCHEN_STATE', `state is for layout '${this.current.layout}', not '${this.layout.version}'`, {
        hint: 'pass the layout the state was created with',
      });
    }
    this.id = `kitchen:${options.state ? 'state' : String(options.seed ?? 0)}`;
    for (const p of kitchenPrimitives(this.layout)) this.validators.set(p.name, ajv.compile(p.params));
  }

  /** The current world state (a copy is not made: treat it as read-only). */
  get state(): KitchenState {
    return this.current;
  }

  /** Replace the world state (e.g. to start an episode from an instruction's initial state). */
  reset(state: KitchenState): void {
    this.current = structuredClone(state);
  }

  async observe(): Promise<Observation> {
    this.assertOpen();
    return kitchenObservation(this.current, this.layout);
  }

  primitives(): Primitive[] {
    return kitchenPrimitives(this.layout);
  }

  async execute(call: SkillCall, options: ExecuteOptions = {}): Promise<Outcome> {
    this.assertOpen();
    const started = performance.now();
    const time = Date.now();
    if (options.signal?.aborted) return { success: false, error: 'aborted before start', events: [], durationMs: 0 };
    const validate = this.validators.get(call.skill);
    if (!validate) {
      return { success: false, error: `unknown kitchen skill '${call.skill}' (known: ${[...this.validators.keys()].join(', ')})`, events: [], durationMs: performance.now() - started };
    }
    if (!validate(call.args ?? {})) {
      return { success: false, error: `invalid arguments for '${call.skill}': ${describeErrors(validate.errors).join('; ')}`, events: [], durationMs: performance.now() - started };
    }
    const r = step(this.current, call, this.layout);
    this.current = r.state;
    const event: EnvEvent = { type: r.ok ? 'action' : 'failure', time, text: r.text, data: { skill: call.skill, args: call.args as JsonValue, precondition: r.precondition ?? false } };
    return { success: r.ok, ...(r.error ? { error: r.error } : {}), events: [event], durationMs: performance.now() - started };
  }

  /**
   * What generated skill code may use: `kitchen`, with one async function per primitive (each
   * resolving to an Outcome, going through `execute` and so through validation and the world's
   * rules), `observe()` resolving to a copy of the state ({robot:{at, holding}, objects, drawers})
   * and `describe()` to the text rendering.
   */
  sandboxEndowments(signal?: AbortSignal): Record<string, unknown> {
    const run = (skill: string, args: Record<string, JsonValue>) => this.execute({ skill, args });
    const endowments: Record<string, unknown> = {
      kitchen: {
        observe: async () => structuredClone(this.current),
        describe: async () => (await this.observe()).text,
        ...householdEndowment(run),
      },
    };
    // The skill runtime takes the data-only API; host-side callers use the functions above.
    if (signal) Object.defineProperty(endowments, SANDBOX_API, { get: () => this.sandboxApi(signal), enumerable: false });
    return endowments;
  }

  /** `kitchen.goTo(location)` etc. in the skill's isolate, each a schema-checked command. */
  sandboxApi(signal: AbortSignal): SandboxApi {
    return commandSandboxApi({
      global: 'kitchen',
      commands: HOUSEHOLD_COMMANDS,
      execute: (call, s) => this.execute(call, { signal: s }),
      observe: () => structuredClone(this.current) as unknown as JsonValue,
      describe: async () => (await this.observe()).text,
    }, signal);
  }

  async check(task: Task): Promise<CheckResult> {
    if (task.goal === undefined) return { success: null, reason: 'the task has no machine-checkable goal' };
    const goal = validateKitchenGoal(task.goal);
    return checkGoal(this.current, goal);
  }

  /**
   * Exact for the kitchen's primitives: the world's own preconditions evaluated on the state inside
   * the observation. Calls the kitchen does not know (library skills) get null: unknown here.
   */
  preconditions(observation: Observation, calls: readonly SkillCall[]): (boolean | null)[] {
    const state = stateFromObservation(observation);
    if (!state) return calls.map(() => null);
    return calls.map((c) => {
      const validate = this.validators.get(c.skill);
      if (!validate) return null;
      return validate(c.args ?? {}) && whyNot(state, c, this.layout) === null;
    });
  }

  /** Why a call is infeasible in the current state (null when feasible). */
  whyNot(call: SkillCall): string | null {
    return whyNot(this.current, call, this.layout);
  }

  /** The SayCan phrase for a call ("put the coke in the trash can"). */
  describe(call: SkillCall): string {
    return describeAction(call, this.layout);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new SkillforgeError('E_CLOSED', 'the kitchen environment is closed', { hint: 'create a new KitchenEnvironment' });
  }
}
