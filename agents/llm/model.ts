/**
 * The LanguageModel contract that agents use. Concrete providers (langchain-backed) live beside
 * this file; agents depend on this interface only.
 */
import type { JsonSchema } from '../../core/types.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface StructuredOptions extends ChatOptions {
  /** How many extra attempts after invalid output (the validation error is fed back). Default 2. */
  retries?: number;
  /** Name used in errors and prompts, e.g. 'skill proposal'. */
  what?: string;
}

/** How a Say score was obtained: log-likelihoods when the provider exposes them, else a fallback. */
export type ScoreMethod = 'logprobs' | 'choice' | 'ranking' | 'votes';

export interface OptionScores {
  /** One per option. For 'logprobs', summed log-probabilities; otherwise log of a normalized score. */
  logScores: number[];
  /** softmax(logScores): usable directly as SayCan's Say term. */
  probabilities: number[];
  method: ScoreMethod;
}

export interface UsageCounters {
  /** Requests that reached the provider (cache hits and replayed answers excluded; retries included). */
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** Answers served from the on-disk cache or a replayed transcript instead of the provider. */
  cacheHits: number;
}

export interface LanguageModel {
  /** provider:model, e.g. 'openai:gpt-4o-mini'. */
  readonly id: string;
  chat(messages: ChatMessage[], options?: ChatOptions): Promise<string>;
  /** Chat whose answer must be JSON matching `schema`; retried with the error fed back, then throws. */
  structured<T>(messages: ChatMessage[], schema: JsonSchema, options?: StructuredOptions): Promise<T>;
  /** SayCan's Say: how well each option continues the prompt. */
  scoreOptions(prompt: string, options: string[], chatOptions?: ChatOptions): Promise<OptionScores>;
  usage(): UsageCounters;
  /** Release local resources (a loaded GGUF model). Optional: remote providers hold none. */
  close?(): Promise<void>;
}
