/**
 * SayCan's Say score from an OpenAI-compatible /v1/completions endpoint (vLLM, llama.cpp server):
 * send prompt+option with `echo: true, logprobs, max_tokens: 0`, and sum the log-probabilities of
 * the tokens that cover the option. One request scores every option (the prompt is an array).
 * Langchain does not surface echoed prompt log-probabilities, so this speaks HTTP directly.
 */
import { SkillforgeError } from '../../core/errors.js';
import type { BackendCallOptions, LogprobResult } from './backend.js';
import { LogprobsUnsupportedError } from './errors.js';

export interface CompletionsEndpoint {
  /** Base URL including the /v1 suffix, e.g. http://127.0.0.1:8000/v1. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  headers?: Record<string, string>;
  provider: string;
}

interface CompletionChoice {
  index?: number;
  logprobs?: { tokens?: string[]; token_logprobs?: Array<number | null>; text_offset?: number[] } | null;
}

class HttpStatusError extends SkillforgeError {
  readonly status: number;
  /** Kept so the retry layer can honour Retry-After (agents/llm/retry.ts). */
  readonly headers: Headers;
  constructor(status: number, body: string, url: string, headers: Headers) {
    super('E_LLM_HTTP', `${url} answered HTTP ${status}: ${body.slice(0, 300)}`);
    this.status = status;
    this.headers = headers;
  }
}

export function completionsLogprobs(endpoint: CompletionsEndpoint) {
  const url = `${endpoint.baseUrl.replace(/\/+$/, '')}/completions`;
  return async (prompt: string, continuations: string[], options: BackendCallOptions): Promise<LogprobResult> => {
    const texts = continuations.map((c) => prompt + c);
    let maxTokens = 0;
    for (;;) {
      const res = await fetch(url, {
        method: 'POST',
        signal: options.signal,
        headers: {
          'content-type': 'application/json',
          ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
          ...endpoint.headers,
        },
        body: JSON.stringify({ model: endpoint.model, prompt: texts, echo: true, logprobs: 1, max_tokens: maxTokens, temperature: 0 }),
      });
      const body = await res.text();
      if (res.status === 400 && maxTokens === 0) {
        // Some servers reject max_tokens 0; one generated token is ignored below by its offset.
        maxTokens = 1;
        continue;
      }
      if ([400, 404, 405, 422, 501].includes(res.status)) {
        throw new LogprobsUnsupportedError(endpoint.provider, `${url} answered HTTP ${res.status}: ${body.slice(0, 200)}`);
      }
      if (!res.ok) throw new HttpStatusError(res.status, body, url, res.headers);
      let data: { choices?: CompletionChoice[]; usage?: { prompt_tokens?: number } };
      try {
        data = JSON.parse(body);
      } catch (err) {
        // A 200 that is not JSON is a garbled reply (a proxy, a crashing server), not proof that
        // the endpoint cannot score: retried like any transient fault (agents/llm/retry.ts).
        throw new SyntaxError(`${url} answered a body that is not JSON: ${(err as Error).message}`);
      }
      const choices = [...(data.choices ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      if (choices.length !== texts.length) {
        throw new LogprobsUnsupportedError(endpoint.provider, `expected ${texts.length} choices, got ${choices.length}`);
      }
      const sums = choices.map((choice, i) => sumOption(choice, prompt.length, texts[i]!.length, endpoint.provider));
      return { logprobs: sums.map((s) => s.sum), tokens: sums.map((s) => s.counted), promptTokens: data.usage?.prompt_tokens ?? 0 };
    }
  };
}

/**
 * Sum the log-probabilities of tokens overlapping [start, end) of the echoed text. A token that
 * straddles the prompt/option border belongs to the option: its probability depends on the option.
 */
function sumOption(choice: CompletionChoice, start: number, end: number, provider: string): { sum: number; counted: number } {
  const lp = choice.logprobs;
  if (!lp?.tokens || !lp.token_logprobs) throw new LogprobsUnsupportedError(provider, 'the answer carries no echoed token log-probabilities');
  const offsets = lp.text_offset ?? cumulativeOffsets(lp.tokens);
  let sum = 0;
  let counted = 0;
  for (let j = 0; j < lp.tokens.length; j++) {
    const from = offsets[j]!;
    const to = from + lp.tokens[j]!.length;
    if (to <= start || from >= end) continue;
    const value = lp.token_logprobs[j];
    if (value === null || value === undefined) {
      if (from === 0) throw new LogprobsUnsupportedError(provider, 'the first token has no log-probability; give scoreOptions a non-empty prompt');
      continue;
    }
    sum += value;
    counted++;
  }
  if (counted === 0 && end > start) throw new LogprobsUnsupportedError(provider, 'no echoed token covers the option text');
  return { sum, counted };
}

function cumulativeOffsets(tokens: string[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const t of tokens) {
    out.push(at);
    at += t.length;
  }
  return out;
}
