/**
 * Scripted language models for SayCan tests. They are test tooling only: each wraps a scripted
 * Backend (or langchain's FakeListChatModel) in the real ChatLanguageModel, so the Say scores go
 * through the same scoring, validation and retry code as a real provider.
 */
import { FakeListChatModel } from '@langchain/core/utils/testing';
import type { Backend, ChatResult, LogprobResult } from '../../agents/llm/backend.js';
import { LangchainBackend } from '../../agents/llm/langchain-backend.js';
import { ChatLanguageModel } from '../../agents/llm/language-model.js';

/** Log-likelihood script: given the prompt and the options, one log-score per option. */
export type LogprobScript = (prompt: string, options: string[]) => number[];

/** A model whose "log-probabilities" come from a script (exercises the 'logprobs' Say path). */
export function scriptedLogprobModel(script: LogprobScript, id = 'scripted:logprobs'): ChatLanguageModel {
  const backend: Backend = {
    id,
    provider: 'scripted',
    chatLogprobs: false,
    async chat(): Promise<ChatResult> {
      throw new Error('this scripted model only scores options');
    },
    async continuationLogprobs(prompt: string, continuations: string[]): Promise<LogprobResult> {
      return { logprobs: script(prompt, continuations), promptTokens: prompt.length };
    },
  };
  return new ChatLanguageModel({ backend, retry: { attempts: 1 } });
}

/**
 * Prefer phrases in order: the first listed phrase that is among the options gets log-score 0,
 * the next -1, and so on; anything unlisted -20. Phrases already in the plan so far are skipped, so
 * a fixed list reads as "what to do next".
 */
export function preferring(...phrases: string[]): LogprobScript {
  return (prompt, options) => {
    const plan = prompt.slice(prompt.lastIndexOf('Robot:'));
    const pending = phrases.filter((p) => !plan.includes(`. ${p},`));
    return options.map((o) => {
      const rank = pending.indexOf(o);
      return rank < 0 ? -20 : -rank;
    });
  };
}

/** A chat model answering with fixed replies in turn (langchain's FakeListChatModel), ranking for Say. */
export function fakeListModel(responses: string[]): ChatLanguageModel {
  const backend = new LangchainBackend({ id: 'fake:list', provider: 'fake', make: () => new FakeListChatModel({ responses }) });
  return new ChatLanguageModel({ backend, scoring: 'ranking', retry: { attempts: 1 } });
}

/** The five steps of "bring me an apple" in the SayCan kitchen. */
export const APPLE_PLAN = ['find the apple', 'pick up the apple', 'bring the apple to you', 'put down the apple', 'done'];

/**
 * Token log-probabilities for the local OpenAI-style server (`FakeLlmServer`'s `logprob`): tokens
 * that continue the expected next step of APPLE_PLAN cost nothing, others -3. Except that, at
 * step 1, "pick up the apple" (not yet feasible) is liked even more: only Can keeps SayCan from
 * choosing it.
 */
export function appleFetchLogprob(context: string, token: string): number {
  const marks = [...context.matchAll(/(\d+)\.(?=\s|$)/g)];
  const last = marks.at(-1);
  if (!last || last.index === undefined) return -3;
  const step = Number(last[1]);
  const partial = (context.slice(last.index + last[0].length) + token).trimStart();
  const expected = step === 1 ? ['pick up the apple', 'find the apple'] : [APPLE_PLAN[step - 1] ?? 'done'];
  const k = expected.findIndex((e) => e.startsWith(partial));
  return k < 0 ? -3 : -0.5 * k;
}
