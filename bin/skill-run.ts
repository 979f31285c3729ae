/**
 * Trying one library skill before trusting it (`skillforge skills run`): start an environment with
 * its embedded defaults (the kitchen simulator; the embedded Minecraft world as `skillforge
 * minecraft` starts it; the simulated robot as `skillforge robot` starts it), run the skill in the
 * sandboxed SkillRuntime through the same runner SayCan uses (same argument binding, same
 * endowments), and report the outcome: ok, value, error, the runtime's failure cause, logs, time.
 *
 * @example
 * ```ts
 * const started = await startRunEnvironment('kitchen', { seed: '0' });
 * const report = await runLibrarySkill({ library, env: started.env, runtime: new SkillRuntime(), skill, args: {} });
 * // report.ok, report.failure ('timeout' | 'error' | ...), report.logs
 * await started.close();
 * ```
 */
import { SkillforgeError, errorMessage } from '../core/errors.js';
import type { JsonValue } from '../core/types.js';
import { assertValid } from '../core/validate.js';
import { sandboxSkillRunner } from '../agents/act/skill-runner.js';
import type { SkillSource } from '../agents/act/program.js';
import type { Environment } from '../envs/environment.js';
import type { LogLine, RunResult, SkillRuntime } from '../skills/runtime/runtime.js';
import type { Skill } from '../skills/skill.js';
import { kitchenSeedOption, intOption } from './options.js';

/** The environments `skills run` can start, and the skill env kind each one serves. */
export const RUN_ENVIRONMENTS = { kitchen: 'kitchen', minecraft: 'minecraft', robot: 'ros2' } as const;
export type RunEnvironmentName = keyof typeof RUN_ENVIRONMENTS;

/** The environment a skill was written for, by its env kind. */
export function runEnvironmentFor(skill: Pick<Skill, 'name' | 'env'>, chosen?: string): RunEnvironmentName {
  const names = Object.keys(RUN_ENVIRONMENTS) as RunEnvironmentName[];
  if (chosen !== undefined && !names.includes(chosen as RunEnvironmentName)) {
    throw new SkillforgeError('E_USAGE', `--env must be one of ${names.join(', ')}, got '${chosen}'`);
  }
  const own = names.find((n) => RUN_ENVIRONMENTS[n] === skill.env);
  if (!own) {
    throw new SkillforgeError('E_USAGE', `${skill.name} is a '${skill.env}' skill; skills run starts only ${names.map((n) => `${n} (${RUN_ENVIRONMENTS[n]} skills)`).join(', ')}`, {
      hint: 'run it with the agent of its environment instead',
    });
  }
  if (chosen !== undefined && chosen !== own) {
    throw new SkillforgeError('E_USAGE', `${skill.name} is written for '${skill.env}' (the API of --env ${own}), not for --env ${chosen}`, {
      hint: `run it with --env ${own}, or leave --env out`,
    });
  }
  return own;
}

export interface StartedEnvironment {
  env: Environment;
  /** One line saying what was started, for the readable output. */
  label: string;
  close(): Promise<void>;
}

/**
 * Start `name` with its embedded defaults. `seed` as the matching command reads it (kitchen and
 * robot: digits or a string, default 0; minecraft: an integer, default 1).
 */
export async function startRunEnvironment(name: RunEnvironmentName, options: { seed?: string; log?: (line: string) => void } = {}): Promise<StartedEnvironment> {
  const log = options.log ?? (() => undefined);
  switch (name) {
    case 'kitchen': {
      const { KitchenEnvironment } = await import('../envs/kitchen/index.js');
      const seed = options.seed ?? '0';
      const env = new KitchenEnvironment({ seed: kitchenSeedOption(seed) });
      return { env, label: `the kitchen simulator (seed ${seed})`, close: () => env.close() };
    }
    case 'minecraft': {
      const seed = intOption(options.seed ?? '1', '--seed', 0);
      log(`starting the embedded world (seed ${seed})...`);
      const { createMinecraftEnvironment } = await import('../envs/minecraft/index.js');
      const env = await createMinecraftEnvironment({ embedded: { seed }, username: 'skillforge' });
      return { env, label: `the embedded Minecraft world (seed ${seed})`, close: () => env.close() };
    }
    case 'robot': {
      const seed = options.seed ?? '0';
      const [{ SimRobot }, profiles, { SafeRobot }, { Ros2Environment }] = await Promise.all([
        import('../robots/sim/server.js'),
        import('../robots/profile.js'),
        import('../robots/safety.js'),
        import('../robots/environment.js'),
      ]);
      const profile = await profiles.loadProfile(profiles.builtinProfilePath('sim-kitchen'));
      const sim = await SimRobot.start({ profile, seed: kitchenSeedOption(seed) });
      let robot: import('../robots/safety.js').SafeRobot | undefined;
      try {
        robot = await SafeRobot.connect({ url: sim.url, profile, log });
        const env = await Ros2Environment.create(robot, { onEvent: (e) => log(`    ${e.text}`) });
        const r = robot;
        return {
          env,
          label: `the simulated robot ${profile.name} (kitchen seed ${seed}, rosbridge ${sim.url})`,
          close: async () => {
            await env.close();
            await r.close();
            await sim.close();
          },
        };
      } catch (err) {
        await robot?.close();
        await sim.close();
        throw err;
      }
    }
  }
}

/** `--args` text: a JSON object, checked with ajv against the skill's params schema (defaults filled in). */
export function parseSkillArgs(skill: Pick<Skill, 'name' | 'params'>, text: string | undefined): Record<string, JsonValue> {
  let value: unknown = {};
  if (text !== undefined) {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new SkillforgeError('E_USAGE', `--args is not JSON: ${errorMessage(err)}`, { hint: `pass an object, e.g. --args '{"count": 2}'` });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SkillforgeError('E_USAGE', '--args must be a JSON object of named arguments', { hint: `e.g. --args '{"count": 2}'` });
  }
  return assertValid<Record<string, JsonValue>>(skill.params, value, `arguments of ${skill.name}`, `see the params schema with: skillforge skills show ${skill.name}`);
}

/** What one run did; `failure` is the runtime's cause, or why the run did not count as a success. */
export interface SkillRunReport {
  skill: { name: string; version: number; env: string; status: string; hash: string };
  environment: string;
  args: Record<string, JsonValue>;
  ok: boolean;
  value?: JsonValue;
  error?: string;
  failure?: RunResult['failure'] | 'reported-failure' | 'missing-dependencies';
  logs: LogLine[];
  durationMs: number;
}

export interface RunLibrarySkillOptions {
  library: SkillSource;
  env: Environment;
  runtime: Pick<SkillRuntime, 'run'>;
  skill: Skill;
  args: Record<string, JsonValue>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** For the report (default env.kind). */
  environment?: string;
}

function plain(value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(value)) as JsonValue;
  } catch {
    return String(value);
  }
}

/** Run one skill (with its dependencies) in the sandbox against `env`. Never throws for a failing skill. */
export async function runLibrarySkill(options: RunLibrarySkillOptions): Promise<SkillRunReport> {
  const { skill, env, args } = options;
  let result: RunResult | undefined;
  // The SayCan runner binds the arguments and hands the environment's endowments to the runtime;
  // the wrapper keeps the runtime's own result, whose failure cause the Outcome does not carry.
  const runtime = { run: async (request: Parameters<SkillRuntime['run']>[0]) => (result = await options.runtime.run(request)) };
  const outcome = await sandboxSkillRunner(runtime, options.library, { timeoutMs: options.timeoutMs })(skill, args, { env, signal: options.signal });
  const failure: SkillRunReport['failure'] = outcome.success ? undefined : !result ? 'missing-dependencies' : (result.failure ?? 'reported-failure');
  return {
    skill: { name: skill.name, version: skill.version, env: skill.env, status: skill.status, hash: skill.hash },
    environment: options.environment ?? env.kind,
    args,
    ok: outcome.success,
    ...(result?.value !== undefined ? { value: plain(result.value) } : {}),
    ...(outcome.success ? {} : { error: outcome.error ?? 'the skill failed' }),
    ...(failure ? { failure } : {}),
    logs: result?.logs ?? [],
    durationMs: result?.durationMs ?? outcome.durationMs,
  };
}

/** The readable rendering of a report. */
export function formatRunReport(r: SkillRunReport): string {
  const lines = [`${r.skill.name} v${r.skill.version} (${r.skill.status}) in ${r.environment}, args ${JSON.stringify(r.args)}`];
  const ms = `${r.durationMs.toFixed(0)} ms`;
  lines.push(r.ok ? `  OK in ${ms}` : `  FAILED (${r.failure}) after ${ms}: ${r.error}`);
  if (r.value !== undefined) lines.push(`  value: ${JSON.stringify(r.value)}`);
  if (r.logs.length) {
    lines.push(`  logs (${r.logs.length}):`);
    for (const l of r.logs) lines.push(`    [${l.level}] ${l.text}`);
  }
  return lines.join('\n');
}
