/**
 * Chat through any langchain chat model (ChatOpenAI, ChatOllama, ChatAnthropic, or a test fake).
 * Langchain's own retries are switched off by the factory: ChatLanguageModel retries with its
 * own time-out and backoff, and counts every request that reaches the provider.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import type { Backend, BackendCallOptions, ChatResult, LogprobResult } from './backend.js';
import type { ChatMessage } from './model.js';

/** Builds a langchain model for the per-call parameters (langchain fixes temperature at construction). */
export type ChatModelMaker = (params: { temperature?: number; maxTokens?: number; topLogprobs?: number }) => BaseChatModel;

export interface LangchainBackendOptions {
  id: string;
  provider: string;
  make: ChatModelMaker;
  chatLogprobs?: boolean;
  continuationLogprobs?: Backend['continuationLogprobs'];
}

export class LangchainBackend implements Backend {
  readonly id: string;
  readonly provider: string;
  readonly chatLogprobs: boolean;
  readonly continuationLogprobs?: Backend['continuationLogprobs'];
  private readonly make: ChatModelMaker;
  private readonly models = new Map<string, BaseChatModel>();

  constructor(options: LangchainBackendOptions) {
    this.id = options.id;
    this.provider = options.provider;
    this.make = options.make;
    this.chatLogprobs = options.chatLogprobs ?? false;
    if (options.continuationLogprobs) this.continuationLogprobs = options.continuationLogprobs;
  }

  async chat(messages: ChatMessage[], options: BackendCallOptions): Promise<ChatResult> {
    const params = { temperature: options.temperature, maxTokens: options.maxTokens, topLogprobs: this.chatLogprobs ? options.topLogprobs : undefined };
    const key = JSON.stringify(params);
    let model = this.models.get(key);
    if (!model) {
      model = this.make(params);
      this.models.set(key, model);
    }
    const reply = await model.invoke(toLangchain(messages), { signal: options.signal, stop: options.stop?.length ? options.stop : undefined });
    const usage = (reply as AIMessage).usage_metadata;
    const result: ChatResult = {
      text: contentText(reply.content),
      promptTokens: usage?.input_tokens ?? 0,
      completionTokens: usage?.output_tokens ?? 0,
    };
    const top = readTopLogprobs(reply.response_metadata);
    if (top) result.topLogprobs = top;
    return result;
  }
}

export function toLangchain(messages: ChatMessage[]): BaseMessage[] {
  return messages.map((m) =>
    m.role === 'system' ? new SystemMessage(m.content) : m.role === 'assistant' ? new AIMessage(m.content) : new HumanMessage(m.content),
  );
}

/** Anthropic answers with content blocks; keep their text. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === 'string' ? part : part && typeof part === 'object' && 'text' in part ? String((part as { text: unknown }).text) : ''))
      .join('');
  }
  return '';
}

/** OpenAI chat logprobs: response_metadata.logprobs.content[i].top_logprobs[{token, logprob}]. */
function readTopLogprobs(meta: Record<string, unknown> | undefined): Array<Record<string, number>> | undefined {
  const content = (meta?.logprobs as { content?: unknown } | undefined)?.content;
  if (!Array.isArray(content)) return undefined;
  return content.map((entry) => {
    const alternatives: Record<string, number> = {};
    const e = entry as { token?: string; logprob?: number; top_logprobs?: Array<{ token: string; logprob: number }> };
    for (const alt of e.top_logprobs ?? []) alternatives[alt.token] = alt.logprob;
    if (typeof e.token === 'string' && typeof e.logprob === 'number' && !(e.token in alternatives)) alternatives[e.token] = e.logprob;
    return alternatives;
  });
}

export type { LogprobResult };
