/**
 * One Minecraft control primitive, described once. A descriptor carries everything the environment
 * needs to offer the primitive: its name and one-line description with a JSON schema of named
 * arguments (what execute() and the planners see), how execute() runs it on the bot, the global that
 * skill code calls in a trusted host-side run (sandboxEndowments) and in the isolate (the calls of the
 * sandbox API and the bootstrap line that defines the global there), its precondition read from an
 * observation, and its entry in the code API text a language model reads.
 *
 * Every table is derived from a list of descriptors (primitives/descriptors.ts): the environment's
 * primitives() and dispatch, sandboxEndowments(), minecraftSandboxApi(), preconditions() and
 * minecraftCodeApi(). Adding a primitive is one file exporting its descriptor plus one line in that
 * list; an environment may also be given its own list (MinecraftEnvironmentOptions.primitives).
 *
 * @example
 * export const waveDescriptor: PrimitiveDescriptor = {
 *   name: 'wave',
 *   description: 'Swing the arm `times` times.',
 *   params: obj({ times: count('swings') }, []),
 *   run: async (bot, a) => { for (let i = 0; i < (a.times ?? 1); i++) bot.swingArm('right'); return undefined; },
 *   endowment: (o) => (b: Bot, times = 1) => wave(b, times, o),
 *   sandbox: { calls: { wave: { params: args([COUNT(16)], 0), run: (bot, [times], o) => wave(bot, times ?? 1, o) } }, global: "prim('wave')" },
 *   doc: '// Swing the arm `times` times.\n// Example: await wave(bot, 2);\nasync function wave(bot, times = 1) {}',
 * };
 */
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import type { JsonSchema, JsonValue } from '../../../core/types.js';
import type { PrimitiveOptions } from './context.js';

/** What a precondition knows: the observation's inventory and block counts, and minecraft-data. */
export interface PreconditionFacts {
  /** minecraft-data of the server's version (blocksByName, itemsByName, recipes...). */
  registry: any;
  /** Items held, by name (observation json.inventory). */
  inventory: Readonly<Record<string, number>>;
  /** Blocks within 32, by name and by group such as `log` (observation json.blockCounts). */
  nearby: Readonly<Record<string, number>>;
}

/**
 * One named call of the isolate's sandbox API: arguments arrive as plain data in Voyager's order,
 * checked against `params` (an array schema) before `run` sees them.
 */
export interface SandboxCallSpec {
  params: JsonSchema;
  /** 'async' (default): acts and resolves later; 'sync': a bounded read the skill waits on. */
  kind?: 'sync' | 'async';
  run(bot: Bot, args: any[], options: PrimitiveOptions | undefined): unknown;
}

export interface PrimitiveDescriptor {
  /** The name in execute() calls, in skill code and in the sandbox: Voyager's name where Voyager has one. */
  readonly name: string;
  /** One line for planners and tool lists. */
  readonly description: string;
  /** execute()'s named arguments (ajv-checked before run). */
  readonly params: JsonSchema;
  /** execute(): run on the connected bot with checked arguments; the result is the Outcome's `result`. */
  run(bot: Bot, args: Record<string, any>): Promise<JsonValue | undefined>;
  /**
   * The global skill code calls when it runs host-side (sandboxEndowments): Voyager's signature,
   * `(bot, ...args)`, bound to the run's options (signal) when there is a run.
   */
  endowment(options: PrimitiveOptions | undefined): (bot: Bot, ...args: any[]) => unknown;
  /** The same primitive for skill code inside the isolate (envs/minecraft/sandbox-api.ts). */
  readonly sandbox: {
    /** Host calls it needs, by name (usually one, named like the primitive). */
    readonly calls: Readonly<Record<string, SandboxCallSpec>>;
    /**
     * A JavaScript expression evaluated in the isolate's bootstrap whose value becomes the global
     * `name`. In scope: `host` (host.async/sync/refresh), `prim(callName, convert?)` (a function
     * `(bot, ...args)` calling host.async with the converted argument list), `posArg(p)` and
     * `plainPos(p)` (a Vec3 as data, optional or required).
     */
    readonly global: string;
  };
  /**
   * Exact when it can be: true (will work), false (cannot work now), null (only trying can tell).
   * Absent: null. Called with the call's raw (unchecked) arguments.
   */
  precondition?(args: Record<string, any>, facts: PreconditionFacts): boolean | null;
  /** The code API entry: comment lines and one example above an empty `async function name(...) {}`. */
  readonly doc: string;
}

/** A position argument as a Vec3 (sandbox calls receive `{x, y, z}` data). */
export function toVec3(p: { x: number; y: number; z: number }): Vec3 {
  return new Vec3(p.x, p.y, p.z);
}
