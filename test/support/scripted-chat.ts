/**
 * A scripted chat model for agent tests: the real ChatLanguageModel (structured output, retries,
 * usage counts) over a backend whose answers come from a script. Test tooling only.
 */
import type { Backend, ChatResult } from '../../agents/llm/backend.js';
import { ChatLanguageModel } from '../../agents/llm/language-model.js';
import type { ChatMessage } from '../../agents/llm/model.js';

/** Answer a conversation; `calls` counts the requests seen so far (0-based). */
export type ChatScript = (messages: ChatMessage[], calls: number) => string;

export function scriptedChatModel(script: ChatScript, id = 'scripted:chat'): ChatLanguageModel & { transcript: ChatMessage[][] } {
  const transcript: ChatMessage[][] = [];
  const backend: Backend = {
    id,
    provider: 'scripted',
    chatLogprobs: false,
    async chat(messages: ChatMessage[]): Promise<ChatResult> {
      transcript.push(messages);
      const text = script(messages, transcript.length - 1);
      return { text, promptTokens: 0, completionTokens: 0 };
    },
  };
  const model = new ChatLanguageModel({ backend, retry: { attempts: 1 } }) as ChatLanguageModel & { transcript: ChatMessage[][] };
  model.transcript = transcript;
  return model;
}

/** The text of the last user message. */
export function lastUser(messages: ChatMessage[]): string {
  return [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}
