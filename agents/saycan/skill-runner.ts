/**
 * Running a library skill chosen by SayCan: its code and its dependencies' code go to the
 * sandboxed SkillRuntime with the environment's endowments, never into this process.
 *
 * Parameters of the skill function are filled by name: a parameter named like an endowment
 * (`kitchen`, `bot`) gets it; `args` gets the whole grounded argument object; any other parameter
 * gets the grounded argument of that name. A run that returns without throwing is a success
 * unless it returns `false` or an Outcome-like `{ success: false }`.
 *
 * @example
 *   const runSkill = sandboxSkillRunner(new SkillRuntime(), library);
 *   const agent = new SayCanAgent({ env, model, library, runSkill });
 */
import type { JsonValue } from '../../core/types.js';
import { parseSkillCode } from '../../skills/code.js';
import type { SkillRuntime } from '../../skills/runtime/runtime.js';
import type { Skill } from '../../skills/skill.js';
import { isolationFor } from '../../skills/runtime/provenance.js';
import { collectProgram, type SkillSource } from '../voyager/program.js';
import type { SkillRunner } from './agent.js';

const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * `options.agent` names this agent: skills another agent wrote, or imported ones, then run in the
 * permission-restricted child process (skills/runtime/provenance.ts). Without it, imported skills
 * still do.
 */
export function sandboxSkillRunner(runtime: Pick<SkillRuntime, 'run'>, source: SkillSource, options: { timeoutMs?: number; agent?: string } = {}): SkillRunner {
  return async (skill: Skill, args: Record<string, JsonValue>, { env, signal }) => {
    const started = performance.now();
    const primitives = new Set(env.primitives().map((p) => p.name));
    const program = await collectProgram(source, [skill], primitives);
    if (program.missing.length) {
      return { success: false, error: `skill ${skill.name} depends on skills the library does not have: ${program.missing.join(', ')}`, events: [], durationMs: performance.now() - started };
    }
    const params = parseSkillCode(skill.code, skill.name).params;
    const actual = params.map((p) => {
      if (!IDENT.test(p)) return 'undefined';
      if (p === 'args') return '__skillArgs';
      return `(typeof ${p} !== 'undefined' ? ${p} : __skillArgs[${JSON.stringify(p)}])`;
    });
    const result = await runtime.run({
      code: program.code,
      main: `return await ${skill.name}(${actual.join(', ')})`,
      // The environment's API (or plain endowments) plus the call's arguments as copied data.
      endowments: (runSignal: AbortSignal) => (env.sandboxEndowments as (s?: AbortSignal) => Record<string, unknown>)(runSignal),
      globals: { __skillArgs: args },
      timeoutMs: options.timeoutMs ?? 30_000,
      isolation: isolationFor(program.skills, options.agent),
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
  };
}
