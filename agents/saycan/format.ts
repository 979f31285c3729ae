/**
 * Human-readable and JSON renderings of SayCan decisions: per step, the top candidates with Say,
 * Can and their product, the choice and its outcome.
 */
import { formatError } from '../../core/errors.js';
import type { JsonValue } from '../../core/types.js';
import type { SayCanResult, SayCanStep } from './agent.js';
import type { ScoredCandidate } from './decision.js';

const num = (x: number | null) => (x === null ? '    -' : x.toFixed(3));

/** One step as a table. */
export function formatStep(step: SayCanStep): string {
  const width = Math.max(9, ...step.top.map((c) => c.text.length + (c.source === 'library' ? 10 : 0)));
  const head = `step ${step.index + 1}: ${step.candidates} candidates${step.asked < step.candidates ? ` (${step.asked} feasible asked)` : ''}, Say by ${step.sayMethod}`;
  const rows = step.top.map((c, i) => {
    const name = (c.source === 'library' ? `${c.text} [library]` : c.text).padEnd(width);
    const pre = c.precondition === null ? '   ?' : c.precondition ? ' yes' : '  no';
    return `  ${i === 0 ? '>' : ' '} ${name}  ${num(c.say)}  ${num(c.can)}  ${num(c.score)}  ${pre}  ${num(c.learned)}`;
  });
  const outcome =
    step.outcome === null ? '  = done' : step.outcome.success ? `  = ${step.chosen.text}: ok` : `  = ${step.chosen.text}: FAILED (${step.outcome.error ?? 'unknown error'})`;
  return [head, `    ${'candidate'.padEnd(width)}    say    can  say×can  pre  learned`, ...rows, outcome].join('\n');
}

/** How the run ended: the plan that succeeded, why it stopped, and the task check. */
export function formatSummary(result: SayCanResult): string {
  const parts = [`plan: ${result.history.length ? result.history.map((h, i) => `${i + 1}. ${h}`).join(', ') : '(nothing succeeded)'}`];
  parts.push(`stopped: ${result.stopped} after ${result.steps.length} step(s), ${result.usage.calls} model call(s), ${result.durationMs.toFixed(0)} ms`);
  if (result.error) parts.push(`error: ${formatError(result.error)}`);
  else if (result.interrupted) parts.push(`interrupted: ${result.interrupted} (not judged, nothing of the step recorded)`);
  if (result.check) parts.push(`task: ${result.check.success === null ? 'not checkable' : result.check.success ? 'SUCCESS' : 'FAILED'} (${result.check.reason})`);
  return parts.join('\n');
}

/** The whole run: every step's table, then how it ended. */
export function formatTrace(result: SayCanResult): string {
  return [`instruction: ${result.instruction}`, ...result.steps.map(formatStep), formatSummary(result)].join('\n');
}

function candidateJson(c: ScoredCandidate): JsonValue {
  return {
    text: c.text,
    call: c.call as unknown as JsonValue,
    source: c.source,
    say: c.say,
    can: c.can,
    score: c.score,
    precondition: c.precondition,
    learned: c.learned,
    ...(c.skill ? { skill: { name: c.skill.name, version: c.skill.version } } : {}),
  };
}

/** Plain JSON for `--json` (library skills by name and version, not their code). */
export function resultJson(result: SayCanResult): JsonValue {
  return {
    instruction: result.instruction,
    stopped: result.stopped,
    ...(result.error ? { error: { code: result.error.code, message: result.error.message, hint: result.error.hint ?? null } } : {}),
    ...(result.check ? { check: result.check as unknown as JsonValue } : {}),
    history: result.history,
    usage: result.usage as unknown as JsonValue,
    episode: result.episode,
    durationMs: result.durationMs,
    steps: result.steps.map((s) => ({
      index: s.index,
      candidates: s.candidates,
      asked: s.asked,
      sayMethod: s.sayMethod,
      chosen: candidateJson(s.chosen),
      top: s.top.map(candidateJson),
      outcome: s.outcome ? { success: s.outcome.success, error: s.outcome.error ?? null, durationMs: s.outcome.durationMs } : null,
    })),
  };
}
