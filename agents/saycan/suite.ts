/**
 * Run SayCan over an instruction suite and report success per family. Environment-agnostic: the
 * caller supplies the instructions (with checkable goals) and makes a fresh environment for each.
 *
 * @example
 *   const report = await runSuite(kitchenSuite(), (ins) => new KitchenEnvironment({ state: ins.initial }), { model });
 */
import { SkillforgeError } from '../../core/errors.js';
import type { Environment } from '../../envs/environment.js';
import { SayCanAgent, type SayCanOptions, type SayCanResult } from './agent.js';

export interface SuiteInstruction {
  id: string;
  family: string;
  text: string;
  goal: unknown;
}

export interface SuiteEntry {
  id: string;
  family: string;
  text: string;
  success: boolean;
  stopped: SayCanResult['stopped'];
  steps: number;
  reason: string;
}

export interface SuiteReport {
  entries: SuiteEntry[];
  families: { family: string; runs: number; successes: number; rate: number }[];
  total: { runs: number; successes: number; rate: number };
}

export async function runSuite<I extends SuiteInstruction>(
  instructions: readonly I[],
  makeEnv: (instruction: I) => Environment,
  options: Omit<SayCanOptions, 'env'> & { onResult?: (entry: SuiteEntry, result: SayCanResult) => void; signal?: AbortSignal },
): Promise<SuiteReport> {
  const entries: SuiteEntry[] = [];
  for (const ins of instructions) {
    if (options.signal?.aborted) break;
    const env = makeEnv(ins);
    try {
      const result = await new SayCanAgent({ ...options, env }).run(ins.text, { task: { description: ins.text, goal: ins.goal as Record<string, unknown> }, signal: options.signal });
      // An interrupted instruction is no run of the suite: stopped by a signal, the report covers
      // what ran; a model outage ends the suite with the provider's error (nothing counted as failed).
      if (result.stopped === 'interrupted') {
        if (options.signal?.aborted) break;
        throw result.error ?? new SkillforgeError('E_INTERRUPTED', `${ins.id}: ${result.interrupted}`);
      }
      const entry: SuiteEntry = {
        id: ins.id,
        family: ins.family,
        text: ins.text,
        success: result.check?.success === true,
        stopped: result.stopped,
        steps: result.steps.length,
        reason: result.error?.message ?? result.check?.reason ?? '',
      };
      entries.push(entry);
      options.onResult?.(entry, result);
    } finally {
      await env.close();
    }
  }
  const families = [...new Set(entries.map((e) => e.family))].map((family) => {
    const mine = entries.filter((e) => e.family === family);
    const successes = mine.filter((e) => e.success).length;
    return { family, runs: mine.length, successes, rate: mine.length ? successes / mine.length : 0 };
  });
  const successes = entries.filter((e) => e.success).length;
  return { entries, families, total: { runs: entries.length, successes, rate: entries.length ? successes / entries.length : 0 } };
}

/** The per-family table. */
export function formatSuite(report: SuiteReport): string {
  const w = Math.max(6, ...report.families.map((f) => f.family.length));
  const line = (name: string, s: number, n: number) => `${name.padEnd(w)}  ${String(s).padStart(3)}/${String(n).padEnd(3)}  ${((n ? s / n : 0) * 100).toFixed(0).padStart(3)}%`;
  return [`${'family'.padEnd(w)}  success`, ...report.families.map((f) => line(f.family, f.successes, f.runs)), line('total', report.total.successes, report.total.runs)].join('\n');
}
