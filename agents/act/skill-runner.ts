/**
 * Running a skill: the one place where skill code meets an environment. A skill's code and the code
 * of the library skills it calls go to the sandboxed SkillRuntime with the environment's API, never
 * into this process. SayCan (a library candidate), the learner (a freshly written skill, before it is
 * stored), evolution (composites, their verification trials) and `skills run` all come through here,
 * so they bind arguments, time out and report outcomes the same way.
 *
 * The binding rule, for each parameter of the skill's main function: a parameter named like one of
 * the environment's globals (`bot`, `kitchen`) gets it; a parameter named `args` gets the whole
 * argument object; any other parameter gets the argument of that name (undefined when absent). A run
 * that returns without throwing succeeds unless it returns `false` or an Outcome-like
 * `{ success: false }`.
 *
 * @example
 *   const runSkill = sandboxSkillRunner(new SkillRuntime(), library, { agent: 'alice' });
 *   const outcome = await runSkill(skill, { object: 'apple' }, { env });
 *   const fresh = await runSkillCode(runtime, library, { name: 'pickApple', code }, {}, { env });
 */
import type { JsonValue, Outcome } from '../../core/types.js';
import type { Environment } from '../../envs/environment.js';
import { parseSkillCode } from '../../skills/code.js';
import type { SkillRuntime } from '../../skills/runtime/runtime.js';
import { isolationFor } from '../../skills/runtime/provenance.js';
import type { Skill } from '../../skills/skill.js';
import { collectProgram, type SkillSource } from './program.js';

/** Runs a library skill (its code) against the environment, e.g. through the sandboxed runtime. */
export type SkillRunner = (skill: Skill, args: Record<string, JsonValue>, context: RunContext) => Promise<Outcome>;

export interface RunContext {
  env: Environment;
  signal?: AbortSignal;
}

export interface RunnerOptions {
  /** Per run; default 30 s. */
  timeoutMs?: number;
  /**
   * The agent running: skills another agent wrote, or imported ones, then run in the
   * permission-restricted child process (skills/runtime/provenance.ts). Without it, imported skills
   * still do.
   */
  agent?: string;
}

/** Code to run: a stored skill, or one just written (no `dependencies`: they are read from its calls). */
export interface SkillCode {
  name: string;
  code: string;
  dependencies?: readonly string[];
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** The SkillRunner SayCan, evolution and `skills run` use: library skills with their dependencies. */
export function sandboxSkillRunner(runtime: Pick<SkillRuntime, 'run'>, source: SkillSource, options: RunnerOptions = {}): SkillRunner {
  return (skill, args, context) => runSkillCode(runtime, source, skill, args, context, options);
}

/**
 * Run `skill` with `args` in the sandbox. A stored skill's declared dependencies must all be in the
 * source (else the outcome fails and names them); a fresh skill's dependencies are the library skills
 * its code calls (other names may be its own helpers or the environment's globals).
 */
export async function runSkillCode(
  runtime: Pick<SkillRuntime, 'run'>,
  source: SkillSource,
  skill: SkillCode,
  args: Record<string, JsonValue>,
  { env, signal }: RunContext,
  options: RunnerOptions = {},
): Promise<Outcome> {
  const started = performance.now();
  const primitives = new Set(env.primitives().map((p) => p.name));
  const parsed = parseSkillCode(skill.code, skill.name);
  let deps: Skill[] = [];
  if (skill.dependencies) {
    const program = await collectProgram(source, [{ ...(skill as Skill), dependencies: [...skill.dependencies] }], primitives);
    if (program.missing.length) {
      return { success: false, error: `skill ${skill.name} depends on skills the library does not have: ${program.missing.join(', ')}`, events: [], durationMs: performance.now() - started };
    }
    deps = program.skills.filter((s) => s.name !== skill.name);
  } else {
    const called: Skill[] = [];
    for (const callee of parsed.calls) {
      if (callee === skill.name || primitives.has(callee)) continue;
      const found = await source.get(callee);
      if (found) called.push(found);
    }
    deps = (await collectProgram(source, called, primitives)).skills;
  }
  const actual = parsed.params.map((p) => {
    if (!IDENT.test(p)) return 'undefined';
    if (p === 'args') return '__skillArgs';
    return `(typeof ${p} !== 'undefined' ? ${p} : __skillArgs[${JSON.stringify(p)}])`;
  });
  const result = await runtime.run({
    code: [...deps.map((s) => s.code), skill.code].join('\n\n'),
    main: `return await ${skill.name}(${actual.join(', ')})`,
    // The environment's API (or plain endowments) plus the call's arguments as copied data.
    endowments: (runSignal: AbortSignal) => env.sandboxEndowments(runSignal),
    globals: { __skillArgs: args },
    timeoutMs: options.timeoutMs ?? 30_000,
    // Code from other agents, or imported, puts the whole program in the child process.
    isolation: isolationFor(isStored(skill) ? [...deps, skill] : deps, options.agent),
    signal,
    filename: `${skill.name}.js`,
  });
  const value = result.value as { success?: unknown } | boolean | undefined;
  const failedByValue = value === false || (typeof value === 'object' && value !== null && value.success === false);
  const success = result.ok && !failedByValue;
  return {
    success,
    ...(success ? {} : { error: result.error ?? `skill ${skill.name} reported failure` }),
    events: result.logs.map((l) => ({ type: `log:${l.level}`, time: l.time, text: l.text })),
    durationMs: result.durationMs,
    ...(result.ok && value !== undefined ? { result: JSON.parse(JSON.stringify(value ?? null)) as JsonValue } : {}),
  };
}

function isStored(skill: SkillCode): skill is Skill {
  return 'provenance' in skill && 'version' in skill;
}
