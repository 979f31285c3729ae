/**
 * Recording and replay of whole language-model transcripts (JSONL). A recorded run can be
 * replayed without the model: `replay:<file>` serves each recorded answer to the request with
 * the same key, in recorded order, and fails loudly on any request the run did not make.
 *
 * File format, one JSON object per line:
 *   {"type":"header","version":1,"model":"openai:gpt-4o-mini","provider":"openai","chatLogprobs":true,"continuationLogprobs":false}
 *   {"type":"call","seq":1,"kind":"chat","model":"…","key":"<sha256>","request":{…},"response":{…}|null,"error":{"code","message"}?,"cached":false,"time":"…"}
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SkillforgeError } from '../../core/errors.js';
import type { JsonSchema, JsonValue } from '../../core/types.js';
import { validator } from '../../core/validate.js';
import type { Backend, BackendCallOptions, ChatResult, LogprobResult } from './backend.js';
import { requestKey } from './cache.js';
import { LogprobsUnsupportedError, ProviderError, oneLine } from './errors.js';
import type { ChatMessage } from './model.js';

export type CallKind = 'chat' | 'logprobs';

export interface TranscriptHeader {
  type: 'header';
  version: 1;
  model: string;
  provider: string;
  chatLogprobs: boolean;
  continuationLogprobs: boolean;
}

export interface TranscriptCall {
  type: 'call';
  seq: number;
  kind: CallKind;
  model: string;
  key: string;
  request: JsonValue;
  response: JsonValue;
  error?: { code: string; message: string };
  cached: boolean;
  time: string;
}

const headerSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'version', 'model', 'provider', 'chatLogprobs', 'continuationLogprobs'],
  properties: {
    type: { const: 'header' },
    version: { const: 1 },
    model: { type: 'string' },
    provider: { type: 'string' },
    chatLogprobs: { type: 'boolean' },
    continuationLogprobs: { type: 'boolean' },
  },
};
const callSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'seq', 'kind', 'model', 'key', 'request', 'response'],
  properties: {
    type: { const: 'call' },
    seq: { type: 'integer', minimum: 1 },
    kind: { enum: ['chat', 'logprobs'] },
    model: { type: 'string' },
    key: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
};
const chatResponseSchema: JsonSchema = {
  type: 'object',
  required: ['text', 'promptTokens', 'completionTokens'],
  properties: { text: { type: 'string' }, promptTokens: { type: 'number' }, completionTokens: { type: 'number' } },
};
const logprobResponseSchema: JsonSchema = {
  type: 'object',
  required: ['logprobs'],
  properties: { logprobs: { type: 'array', items: { type: 'number' } }, tokens: { type: 'array', items: { type: 'integer' } }, promptTokens: { type: 'number' } },
};

/** The request that keys a chat call: everything that changes the answer, nothing that does not. */
export function chatRequest(model: string, messages: ChatMessage[], o: Omit<BackendCallOptions, 'signal'>): JsonValue {
  return {
    kind: 'chat',
    model,
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    temperature: o.temperature ?? null,
    maxTokens: o.maxTokens ?? null,
    stop: o.stop ?? null,
    topLogprobs: o.topLogprobs ?? null,
    sample: o.sample ?? null,
  };
}

export function logprobRequest(model: string, prompt: string, continuations: string[]): JsonValue {
  return { kind: 'logprobs', model, prompt, continuations };
}

/** Appends every call of one model to a JSONL transcript (synchronously, so a crash loses nothing). */
export class TranscriptRecorder {
  readonly path: string;
  private seq = 0;
  private headerWritten = false;
  constructor(path: string) {
    this.path = resolve(path);
    mkdirSync(dirname(this.path), { recursive: true });
  }

  header(backend: Backend): void {
    if (this.headerWritten) return;
    this.headerWritten = true;
    const header: TranscriptHeader = {
      type: 'header',
      version: 1,
      model: backend.id,
      provider: backend.provider,
      chatLogprobs: backend.chatLogprobs,
      continuationLogprobs: typeof backend.continuationLogprobs === 'function',
    };
    appendFileSync(this.path, `${JSON.stringify(header)}\n`);
  }

  record(call: Omit<TranscriptCall, 'type' | 'seq' | 'time'>): void {
    const line: TranscriptCall = { type: 'call', seq: ++this.seq, ...call, time: new Date().toISOString() };
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
  }
}

/** A Backend that answers from a recorded transcript; any request the run did not make is an error. */
export class ReplayBackend implements Backend {
  readonly id: string;
  readonly provider: string;
  readonly chatLogprobs: boolean;
  readonly continuationLogprobs?: Backend['continuationLogprobs'];
  readonly path: string;
  readonly replayed = true;
  private readonly queues = new Map<string, TranscriptCall[]>();
  private served = 0;

  constructor(path: string) {
    this.path = resolve(path);
    if (!existsSync(this.path)) {
      throw new SkillforgeError('E_REPLAY_FILE', `no transcript at ${this.path}`, {
        hint: 'record one first with --llm-record <file> (or record: in the --llm-config file)',
      });
    }
    const lines = readFileSync(this.path, 'utf8').split('\n');
    const checkHeader = validator<TranscriptHeader>(headerSchema, 'transcript header');
    let header: TranscriptHeader | undefined;
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        throw new SkillforgeError('E_REPLAY_FILE', `${this.path}:${i + 1} is not JSON: ${(e as Error).message}`);
      }
      const type = (value as { type?: unknown })?.type;
      if (type === 'header') {
        header ??= checkHeader(value);
        return;
      }
      const call = validator<TranscriptCall>(callSchema, `transcript line ${this.path}:${i + 1}`)(value);
      if (!call.error) validator(call.kind === 'chat' ? chatResponseSchema : logprobResponseSchema, `transcript ${call.kind} response`)(call.response);
      const queue = this.queues.get(call.key) ?? [];
      queue.push(call);
      this.queues.set(call.key, queue);
    });
    if (!header) throw new SkillforgeError('E_REPLAY_FILE', `${this.path} has no header line`, { hint: 'is this a skillforge transcript?' });
    this.id = header.model;
    this.provider = header.provider;
    this.chatLogprobs = header.chatLogprobs;
    if (header.continuationLogprobs) {
      this.continuationLogprobs = async (prompt: string, continuations: string[]): Promise<LogprobResult> =>
        this.serve(logprobRequest(this.id, prompt, continuations), `logprobs for ${continuations.length} options after "${oneLine(prompt, 80)}"`) as unknown as LogprobResult;
    }
  }

  async chat(messages: ChatMessage[], options: BackendCallOptions): Promise<ChatResult> {
    const last = messages[messages.length - 1]?.content ?? '';
    return this.serve(chatRequest(this.id, messages, options), `chat ending "${oneLine(last, 120)}"`) as unknown as ChatResult;
  }

  private serve(request: JsonValue, describe: string): JsonValue {
    const key = requestKey(request);
    const call = this.queues.get(key)?.shift();
    if (!call) {
      throw new SkillforgeError('E_REPLAY_MISS', `replay of ${this.path}: request #${this.served + 1} was not recorded (${describe})`, {
        hint: 'the run diverged from the recording (different prompts, options or code); record it again',
      });
    }
    this.served++;
    if (call.error) {
      if (call.error.code === 'E_LLM_NO_LOGPROBS') throw new LogprobsUnsupportedError(this.provider, call.error.message);
      throw new ProviderError(`replayed failure: ${call.error.message}`, { attempts: 1, code: call.error.code });
    }
    return call.response;
  }

  /** Recorded calls not yet served, e.g. to check that a replay consumed the whole run. */
  remaining(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }
}
