/**
 * A SandboxApi for environments whose skills are named commands with string arguments (the kitchen
 * simulator, ROS 2 robots): skill code gets one global object (`kitchen`, `robot`) whose methods
 * start a command and resolve to its Outcome, plus `observe()` resolving to a copy of the state.
 * Arguments are positional strings checked by a schema here, then by the environment's own
 * validation in `execute`. When the run ends, `onEnd` runs (a robot stops and cancels its goals),
 * and commands arriving afterwards are refused.
 *
 * @example
 * commandSandboxApi({
 *   global: 'kitchen',
 *   commands: { goTo: { skill: 'go to', args: ['location'] } },   // the kitchen's: HOUSEHOLD_COMMANDS (envs/kitchen/vocabulary.ts)
 *   execute: (call, signal) => env.execute(call, { signal }),
 *   observe: () => state,
 * }, signal);
 * // skill code: const r = await kitchen.goTo('table'); if (!r.success) throw new Error(r.error);
 */
import type { JsonValue, Outcome, SkillCall } from '../core/types.js';
import type { SandboxApi, SandboxCall } from './environment.js';

export interface CommandSpec {
  /** The environment's skill name, e.g. 'go to'. */
  skill: string;
  /** Argument names, in the order skill code passes them. */
  args: string[];
}

export interface CommandSandboxOptions {
  global: string;
  commands: Readonly<Record<string, CommandSpec>>;
  execute(call: SkillCall, signal: AbortSignal): Promise<Outcome>;
  observe(): JsonValue | Promise<JsonValue>;
  /** Text rendering of the state, for `describe()`. */
  describe?(): string | Promise<string>;
  /** Runs once when the skill run ends for any reason. */
  onEnd?(): void;
}

const ARG = { type: 'string', minLength: 1, maxLength: 64 } as const;

export function commandSandboxApi(options: CommandSandboxOptions, signal: AbortSignal): SandboxApi {
  if (options.onEnd) {
    if (signal.aborted) options.onEnd();
    else signal.addEventListener('abort', options.onEnd, { once: true });
  }
  const calls: Record<string, SandboxCall> = {};
  for (const [name, spec] of Object.entries(options.commands)) {
    calls[name] = {
      params: { type: 'array', items: spec.args.map(() => ARG), additionalItems: false, minItems: spec.args.length, maxItems: spec.args.length },
      run: async (args) => {
        if (signal.aborted) throw new Error(`${options.global}.${name} refused: the skill run has ended`);
        const callArgs: Record<string, JsonValue> = {};
        spec.args.forEach((a, i) => (callArgs[a] = String(args[i])));
        const outcome = await options.execute({ skill: spec.skill, args: callArgs }, signal);
        return { success: outcome.success, ...(outcome.error ? { error: outcome.error } : {}), events: outcome.events.slice(-20).map((e) => ({ type: e.type, text: e.text })) };
      },
    };
  }
  calls.observe = { params: { type: 'array', maxItems: 0 }, run: () => options.observe() };
  calls.describe = { params: { type: 'array', maxItems: 0 }, run: () => options.describe?.() ?? '' };
  const methods = [...Object.keys(options.commands), 'observe', 'describe'];
  return {
    bootstrap: `(function commandBootstrap(host, G) {
  'use strict';
  const api = {};
  for (const name of ${JSON.stringify(methods)}) api[name] = (...args) => host.async(name, args);
  host.define(${JSON.stringify(options.global)}, Object.freeze(api));
})`,
    snapshot: () => null,
    calls,
  };
}
