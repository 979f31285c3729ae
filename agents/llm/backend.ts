/**
 * The narrow surface a provider implements. Everything that is the same for all providers
 * (time-outs, retries, cache, recording, structured output, Say scoring) lives in
 * ChatLanguageModel on top of this, so a replayed transcript behaves exactly like the provider.
 */
import type { ChatMessage } from './model.js';

export interface BackendCallOptions {
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  /** Ask for this many alternatives per generated token (chat log-probabilities). */
  topLogprobs?: number;
  /** Distinguishes repeated samples of one request (votes) in cache and transcript keys; not sent. */
  sample?: number;
  signal: AbortSignal;
}

export interface ChatResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  /** Per generated token, the most likely alternatives (token text -> log-probability), when asked and available. */
  topLogprobs?: Array<Record<string, number>>;
}

export interface LogprobResult {
  /** One per continuation: the summed log-probability of its tokens given the prompt. */
  logprobs: number[];
  /** One per continuation: how many tokens were summed (for length normalisation). */
  tokens?: number[];
  promptTokens: number;
}

export interface Backend {
  /** provider:model, as in the spec. */
  readonly id: string;
  readonly provider: string;
  /** Can `chat` return top log-probabilities of generated tokens (OpenAI-style)? */
  readonly chatLogprobs: boolean;
  chat(messages: ChatMessage[], options: BackendCallOptions): Promise<ChatResult>;
  /**
   * Log-likelihood of each continuation after `prompt`. Absent when the provider cannot score
   * given text; may throw LogprobsUnsupportedError when it turns out at run time that it cannot.
   */
  continuationLogprobs?(prompt: string, continuations: string[], options: BackendCallOptions): Promise<LogprobResult>;
  close?(): Promise<void>;
}
