/**
 * The Environment contract: the one border between agents and a world (Minecraft, a ROS 2 robot,
 * a simulator). Agents import this file and never a concrete environment's dependencies.
 */
import type { EnvEvent, JsonSchema, JsonValue, Observation, Outcome, SkillCall } from '../core/types.js';

export type { Observation, Outcome, SkillCall } from '../core/types.js';

/** A built-in skill of an environment, with a JSON schema for its arguments. */
export interface Primitive {
  name: string;
  description: string;
  params: JsonSchema;
}

/** A task an agent can be asked to complete, with an optional programmatic success test. */
export interface Task {
  description: string;
  /** Environment-specific machine-checkable goal, e.g. {inventory: {wooden_pickaxe: 1}}. */
  goal?: Record<string, unknown>;
}

export interface CheckResult {
  /** true/false when the environment could decide; null when only a critic can judge. */
  success: boolean | null;
  reason: string;
}

/**
 * One host call a skill may make from its isolate: positional arguments, validated against `params`
 * (a JSON schema for the argument array) before `run` sees them. Arguments arrive as copied plain
 * data; `run`'s result is copied back as plain data (bounded), never as a host reference.
 */
export interface SandboxCall {
  params: JsonSchema;
  /** 'async' (default): a primitive that acts and resolves later; 'sync': a bounded read the skill waits on. */
  kind?: 'sync' | 'async';
  run(args: unknown[]): unknown;
}

/**
 * What skill code may use, as data and named calls (see skills/runtime). `bootstrap` is trusted
 * source `(function (host, G) { ... })` evaluated inside the isolate: it defines the skill's globals
 * (e.g. `bot`, `mineBlock`) from `host.snapshot()` and `host.async/sync(name, args)`.
 *
 * @example
 * const api: SandboxApi = {
 *   bootstrap: `(function (host, G) { host.define('ping', (n) => host.async('ping', [n])); })`,
 *   snapshot: () => ({}),
 *   calls: { ping: { params: { type: 'array', items: [{ type: 'number' }] }, run: ([n]) => n } },
 * };
 */
export interface SandboxApi {
  bootstrap: string;
  /** Plain data the skill reads synchronously; refreshed after every call. */
  snapshot(): JsonValue;
  calls: Record<string, SandboxCall>;
  /** Large read-only tables (minecraft-data), copied into a run only when first read. */
  tables?: Record<string, () => JsonValue>;
}

/** Key under which `sandboxEndowments(signal)` carries the environment's SandboxApi for the runtime. */
export const SANDBOX_API: unique symbol = Symbol.for('skillforge.sandboxApi');

export interface ExecuteOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface Environment {
  readonly id: string;
  /** 'minecraft' | 'ros2' | a simulator name such as 'kitchen'. */
  readonly kind: string;
  observe(): Promise<Observation>;
  primitives(): Primitive[];
  execute(call: SkillCall, options?: ExecuteOptions): Promise<Outcome>;
  /**
   * The API generated skill code may use, handed to the sandboxed runtime. `signal` fires when the
   * skill run ends for any reason (finished, failed, timed out, aborted): host-side work the skill
   * started (pathfinding, digging, navigation goals) should stop with it.
   */
  sandboxEndowments(signal?: AbortSignal): Record<string, unknown>;
  /**
   * The narrow API skill code runs against in its isolate: plain-data snapshots and schema-checked
   * calls. `signal` fires when the run ends: the environment stops everything the skill started.
   */
  sandboxApi?(signal: AbortSignal): SandboxApi;
  /** Events (chat, damage, inventory changes...) since a time (ms since epoch), for feedback to a model. */
  recentEvents?(since: number): EnvEvent[];
  /**
   * Why the environment itself was interrupted at or after `since` (ms since epoch): the server
   * restarted, the connection dropped. A failure in that window says nothing about the skill, so
   * agents record the attempt as interrupted, not failed. Null when it stayed up.
   */
  interruptedSince?(since: number): string | null;
  check(task: Task): Promise<CheckResult>;
  /**
   * Symbolic preconditions the environment can state exactly: for each call, true (feasible),
   * false (certainly not) or null (unknown: leave it to the learned affordance).
   */
  preconditions?(observation: Observation, calls: readonly SkillCall[]): (boolean | null)[];
  close(): Promise<void>;
}
