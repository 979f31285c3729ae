/**
 * A local GGUF model through node-llama-cpp (3.21.1), loaded only when a `gguf:` spec is used.
 * node-llama-cpp is NOT a dependency: its prebuilt binaries for Linux x64 alone (CPU, CUDA,
 * CUDA-ext, Vulkan variants) install ~730 MB, too much for every checkout and CI run. Users who
 * want GGUF install it next to skillforge: `npm install node-llama-cpp@3.21.1`.
 * We never let it download or compile anything (build: 'never'); the user gives the model path.
 *
 * Say scoring reads real log-probabilities: the prompt+option tokens are evaluated and the
 * probability of each option token is read from the model's next-token distribution.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SkillforgeError, errorMessage } from '../../core/errors.js';
import type { Backend, BackendCallOptions, ChatResult, LogprobResult } from './backend.js';
import type { LlmConfig } from './config.js';
import type { ChatMessage } from './model.js';

export const nodeLlamaCppVersion = '3.21.1';

// Structural types for the parts of node-llama-cpp we use (it is not installed at type-check time).
type Token = number;
interface TokenMeter { usedInputTokens: number; usedOutputTokens: number }
interface Sequence {
  clearHistory(): Promise<void>;
  tokenMeter: TokenMeter;
  controlledEvaluate(
    input: Array<Token | [Token, { generateNext?: { probabilities?: boolean; options?: { temperature?: number; topK?: number; topP?: number; minP?: number } } }]>,
  ): Promise<Array<undefined | { next: { probabilities?: Map<Token, number> } }>>;
}
interface Context { getSequence(): Sequence; dispose(): Promise<void> }
interface Model {
  tokenize(text: string, specialTokens?: boolean): Token[];
  tokens: { bos: Token | null };
  createContext(o: { contextSize?: number; sequences?: number; threads?: number }): Promise<Context>;
  dispose(): Promise<void>;
}
interface Llama { loadModel(o: { modelPath: string }): Promise<Model>; dispose(): Promise<void> }
type HistoryItem = { type: 'system' | 'user'; text: string } | { type: 'model'; response: string[] };
interface LlamaChatLike {
  generateResponse(
    history: HistoryItem[],
    o: { maxTokens?: number; temperature?: number; signal?: AbortSignal; customStopTriggers?: string[] },
  ): Promise<{ response: string }>;
  dispose?(): void;
}
interface NodeLlamaCpp {
  getLlama(o: { build: 'never'; gpu?: LlmConfig extends { gguf?: { gpu?: infer G } } ? G : never }): Promise<Llama>;
  LlamaChat: new (o: { contextSequence: Sequence; autoDisposeSequence?: boolean }) => LlamaChatLike;
}

/**
 * node-llama-cpp from node_modules, or from the package folder `dir` (a copy installed elsewhere,
 * e.g. shared by several checkouts; the command line takes it from SKILLFORGE_NODE_LLAMA_CPP).
 */
async function importNodeLlamaCpp(dir: string | undefined): Promise<NodeLlamaCpp> {
  const name = 'node-llama-cpp';
  try {
    if (dir) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { main?: string; exports?: { '.'?: { import?: string; default?: string } } };
      const entry = pkg.exports?.['.']?.import ?? pkg.exports?.['.']?.default ?? pkg.main ?? 'index.js';
      return (await import(pathToFileURL(join(dir, entry)).href)) as NodeLlamaCpp;
    }
    return (await import(name)) as NodeLlamaCpp;
  } catch (e) {
    const missing = !dir && (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && errorMessage(e).includes(name);
    throw new SkillforgeError(
      'E_LLM_GGUF',
      missing ? 'gguf: models need node-llama-cpp, which is not installed' : `node-llama-cpp failed to load: ${errorMessage(e)}`,
      { hint: `install node-llama-cpp@${nodeLlamaCppVersion} to use gguf: (npm install node-llama-cpp@${nodeLlamaCppVersion}; about 730 MB of prebuilt binaries on Linux x64)`, cause: e },
    );
  }
}

export interface GgufBackendOptions {
  /** node-llama-cpp's package folder when it is not in node_modules (SKILLFORGE_NODE_LLAMA_CPP on the command line). */
  nodeLlamaCppDir?: string;
}

export async function createGgufBackend(modelPath: string, config: LlmConfig['gguf'] = {}, options: GgufBackendOptions = {}): Promise<Backend> {
  const path = resolve(modelPath);
  if (!existsSync(path)) {
    throw new SkillforgeError('E_LLM_GGUF', `no GGUF model at ${path}`, { hint: 'give the path of a .gguf file: --llm gguf:/models/qwen2.5-1.5b-instruct-q4_k_m.gguf' });
  }
  const lib = await importNodeLlamaCpp(options.nodeLlamaCppDir);
  let llama: Llama;
  try {
    llama = await lib.getLlama({ build: 'never', gpu: config.gpu ?? 'auto' });
  } catch (e) {
    throw new SkillforgeError('E_LLM_GGUF', `node-llama-cpp has no usable prebuilt binary here: ${errorMessage(e)}`, {
      hint: 'reinstall node-llama-cpp with its optional dependencies (npm install --include=optional), or set gguf.gpu: false in --llm-config',
      cause: e,
    });
  }
  let model: Model;
  try {
    model = await llama.loadModel({ modelPath: path });
  } catch (e) {
    throw new SkillforgeError('E_LLM_GGUF', `cannot load ${path}: ${errorMessage(e)}`, { hint: 'is it a GGUF file that this llama.cpp version supports?', cause: e });
  }
  const context = await model.createContext({ contextSize: config.contextSize ?? 4096, sequences: 1, threads: config.threads });
  return new GgufBackend(`gguf:${modelPath}`, lib, llama, model, context);
}

class GgufBackend implements Backend {
  readonly provider = 'gguf';
  readonly chatLogprobs = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** The context has one sequence; chat and scoring share it (LlamaChat re-checks what it holds). */
  private readonly sequence: Sequence;
  private readonly llamaChat: LlamaChatLike;
  constructor(
    readonly id: string,
    lib: NodeLlamaCpp,
    private readonly llama: Llama,
    private readonly model: Model,
    private readonly context: Context,
  ) {
    this.sequence = context.getSequence();
    this.llamaChat = new lib.LlamaChat({ contextSequence: this.sequence, autoDisposeSequence: false });
  }

  /** One sequence, so calls run one at a time. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  chat(messages: ChatMessage[], options: BackendCallOptions): Promise<ChatResult> {
    return this.exclusive(async () => {
      const sequence = this.sequence;
      const before = { input: sequence.tokenMeter.usedInputTokens, output: sequence.tokenMeter.usedOutputTokens };
      {
        const history: HistoryItem[] = messages.map((m) =>
          m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role, text: m.content },
        );
        history.push({ type: 'model', response: [] });
        const result = await this.llamaChat.generateResponse(history, {
          maxTokens: options.maxTokens,
          temperature: options.temperature ?? 0,
          signal: options.signal,
          customStopTriggers: options.stop,
        });
        return {
          text: result.response,
          promptTokens: sequence.tokenMeter.usedInputTokens - before.input,
          completionTokens: sequence.tokenMeter.usedOutputTokens - before.output,
        };
      }
    });
  }

  continuationLogprobs = (prompt: string, continuations: string[], options: BackendCallOptions): Promise<LogprobResult> =>
    this.exclusive(async () => {
      const bos = this.model.tokens.bos;
      const promptTokens = this.model.tokenize(prompt);
      const logprobs: number[] = [];
      const counts: number[] = [];
      let used = 0;
      for (const option of continuations) {
        options.signal.throwIfAborted();
        const full = [...(bos === null ? [] : [bos]), ...this.model.tokenize(prompt + option)];
        const offset = bos === null ? 0 : 1;
        // The option starts where prompt+option stops agreeing with the prompt's own tokenization.
        let k = 0;
        while (k < promptTokens.length && full[offset + k] === promptTokens[k]) k++;
        const first = Math.max(1, offset + k);
        const sequence = this.sequence;
        await sequence.clearHistory();
        // The model's own distribution: no temperature, no top-k/top-p/min-p truncation.
        const raw = { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } };
        const input = full.slice(0, -1).map((t, i) => (i + 1 >= first ? ([t, { generateNext: raw }] as const) : t));
        const out = await sequence.controlledEvaluate(input as Parameters<Sequence['controlledEvaluate']>[0]);
        let sum = 0;
        for (let i = first - 1; i < full.length - 1; i++) {
          const p = out[i]?.next.probabilities?.get(full[i + 1]!) ?? 0;
          sum += Math.log(Math.max(p, 1e-30));
        }
        used += full.length;
        logprobs.push(sum);
        counts.push(full.length - first);
      }
      return { logprobs, tokens: counts, promptTokens: used };
    });

  async close(): Promise<void> {
    this.llamaChat.dispose?.();
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}
