/**
 * The Environment contract: the one border between agents and a world (Minecraft, a ROS 2 robot,
 * a simulator). Agents import this file and never a concrete environment's dependencies.
 */
import type { EnvEvent, JsonSchema, Observation, Outcome, SkillCall } from '../core/types.js';

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
