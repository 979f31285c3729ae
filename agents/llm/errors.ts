/** Errors specific to language models, all SkillforgeErrors with stable codes. */
import { SkillforgeError } from '../../core/errors.js';

export interface StructuredAttempt {
  /** What the model answered (truncated to 2000 characters). */
  output: string;
  /** Why it was rejected: JSON syntax or the schema violations. */
  error: string;
}

/** The model never produced valid output for a schema; nothing was returned to the caller. */
export class StructuredOutputError extends SkillforgeError {
  readonly attempts: StructuredAttempt[];
  constructor(what: string, model: string, attempts: StructuredAttempt[]) {
    const lines = attempts.map((a, i) => `  attempt ${i + 1}: ${a.error}\n    output: ${oneLine(a.output, 300)}`);
    super('E_LLM_OUTPUT', `${model} gave no valid ${what} after ${attempts.length} attempts:\n${lines.join('\n')}`, {
      hint: 'try a stronger model, raise structuredRetries in the --llm-config file, or simplify the schema',
    });
    this.name = 'StructuredOutputError';
    this.attempts = attempts;
  }
}

/** A provider request failed for good (after retries, or with a non-transient error). */
export class ProviderError extends SkillforgeError {
  readonly attempts: number;
  readonly status?: number;
  /** The provider was unreachable, rate-limited, timed out or garbled its reply: an outage, not a wrong request. */
  readonly transient: boolean;
  constructor(message: string, options: { hint?: string; cause?: unknown; attempts: number; status?: number; code?: string; transient?: boolean }) {
    super(options.code ?? 'E_LLM_PROVIDER', message, { hint: options.hint, cause: options.cause });
    this.name = 'ProviderError';
    this.attempts = options.attempts;
    this.status = options.status;
    this.transient = options.transient ?? false;
  }
}

/**
 * Did this error come from the model being unavailable (an outage after retries) rather than from
 * what the agent did? Such a failure must not count against a task, a skill or a statistic.
 */
export function isModelOutage(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    // By name as well as class: a second copy of this module (two loaders, a bundled plugin) makes instanceof lie.
    if ((e instanceof ProviderError || (e as { name?: unknown }).name === 'ProviderError') && (e as ProviderError).transient === true) return true;
  }
  return false;
}

/** The endpoint does not return log-probabilities of given text; scoring falls back. */
export class LogprobsUnsupportedError extends SkillforgeError {
  constructor(provider: string, why: string) {
    super('E_LLM_NO_LOGPROBS', `${provider} cannot score given text with log-probabilities: ${why}`, {
      hint: "use an OpenAI-compatible completions server that supports echo+logprobs (vLLM, llama.cpp server), a gguf: model, or set scoring: 'ranking'",
    });
    this.name = 'LogprobsUnsupportedError';
  }
}

export function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
