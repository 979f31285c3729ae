/**
 * createLanguageModel: a provider spec (+ optional config file) to a ready LanguageModel.
 *
 * Spec grammar (the part before the first ':' names the provider):
 *   openai:<model>                        OpenAI; key from OPENAI_API_KEY (base URL: --llm-base-url, OPENAI_BASE_URL)
 *   openai-compatible:<model>@<baseURL>   vLLM, llama.cpp server, LM Studio, …; or give the URL with --llm-base-url
 *   openai-compatible:<model>             … with the base URL from --llm-base-url / config baseUrl
 *   ollama:<model>                        Ollama at --llm-base-url, OLLAMA_HOST, or http://127.0.0.1:11434
 *   anthropic:<model>                     Anthropic; key from ANTHROPIC_API_KEY
 *   gguf:<path/to/model.gguf>             a local GGUF file through node-llama-cpp (optional install)
 *   replay:<transcript.jsonl>             answers from a recorded run, no model needed
 * With no spec, SKILLFORGE_LLM is used. A base URL without a path gets /v1 for OpenAI-style servers.
 *
 * @example
 *   const llm = await createLanguageModel('openai-compatible:qwen2.5-7b@http://127.0.0.1:8000', { dataDir: '.skillforge' });
 */
import { join } from 'node:path';
import { SkillforgeError } from '../../core/errors.js';
import type { Backend } from './backend.js';
import { ResponseCache } from './cache.js';
import { completionsLogprobs } from './completions-logprobs.js';
import { loadLlmConfig, llmConfigSchema, type LlmConfig } from './config.js';
import { ChatLanguageModel } from './language-model.js';
import { ReplayBackend, TranscriptRecorder } from './transcript.js';
import { assertValid } from '../../core/validate.js';

export const providers = ['openai', 'openai-compatible', 'ollama', 'anthropic', 'gguf', 'replay'] as const;
export type Provider = (typeof providers)[number];

export interface ProviderSpec {
  provider: Provider;
  /** Model name, or the file path for gguf/replay. */
  model: string;
  baseUrl?: string;
}

export interface CreateLanguageModelOptions {
  /** Overrides the spec's and the config's base URL (--llm-base-url). */
  baseUrl?: string;
  /** JSON or YAML config file (--llm-config). */
  configFile?: string;
  /** Config given in code; the file's fields win over it. */
  config?: LlmConfig;
  /**
   * Environment variables for keys and defaults (SKILLFORGE_LLM, OPENAI_API_KEY, OLLAMA_HOST, ...). Default
   * none: only bin/ reads the process environment, and passes it here.
   */
  env?: Record<string, string | undefined>;
  /** Data directory: the response cache goes to <dataDir>/llm-cache unless disabled. */
  dataDir?: string;
  /** false disables the response cache (--no-llm-cache). */
  cache?: boolean;
  /** Record every call to this JSONL transcript (--llm-record). */
  record?: string;
  /** Settings from command-line flags: they win over the config file (--llm-timeout, --llm-retries, --llm-max-outage). */
  overrides?: Pick<LlmConfig, 'timeoutMs' | 'maxOutageMs'> & { attempts?: number };
  /** Receives one line per provider outage start and end. */
  report?: (line: string) => void;
}

/** What to tell a user who has configured no model. */
export const noModelHelp = [
  'choose one with --llm <provider:model> (or SKILLFORGE_LLM), for example:',
  '  --llm openai:gpt-4o-mini                          (needs OPENAI_API_KEY)',
  '  --llm anthropic:claude-3-5-haiku-latest           (needs ANTHROPIC_API_KEY)',
  '  --llm ollama:llama3.1                             (Ollama at http://127.0.0.1:11434 or OLLAMA_HOST)',
  '  --llm openai-compatible:<model>@http://127.0.0.1:8000/v1   (vLLM, llama.cpp server, LM Studio)',
  '  --llm gguf:/path/to/model.gguf                    (after npm install node-llama-cpp@3.21.1)',
  '  --llm replay:run.jsonl                            (replay a run recorded with --llm-record)',
  'settings can also come from a JSON/YAML file: --llm-config llm.yaml',
].join('\n');

/** Parse `provider:model[@baseURL]`, with errors that say what a valid spec looks like. */
export function parseProviderSpec(spec: string): ProviderSpec {
  const colon = spec.indexOf(':');
  const provider = (colon < 0 ? spec : spec.slice(0, colon)).trim() as Provider;
  const rest = colon < 0 ? '' : spec.slice(colon + 1).trim();
  if (!providers.includes(provider)) {
    throw new SkillforgeError('E_LLM_SPEC', `unknown language-model provider '${provider}' in '${spec}'`, {
      hint: `use one of ${providers.map((p) => `${p}:`).join(', ')}\n${noModelHelp}`,
    });
  }
  if (!rest) {
    const what = provider === 'gguf' ? 'a model file path' : provider === 'replay' ? 'a transcript path' : 'a model name';
    throw new SkillforgeError('E_LLM_SPEC', `'${spec}' names no model: expected ${provider}:<${what}>`, { hint: noModelHelp });
  }
  if (provider === 'openai-compatible') {
    const m = /^(.+?)@(https?:\/\/.+)$/.exec(rest);
    if (m) return { provider, model: m[1]!, baseUrl: m[2]! };
  }
  return { provider, model: rest };
}

/** Add /v1 to an OpenAI-style base URL given without a path (http://host:8000 -> http://host:8000/v1). */
export function openaiBaseUrl(url: string): string {
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/v1';
  return u.toString().replace(/\/+$/, '');
}

function ollamaHost(value: string): string {
  const withScheme = /^https?:\/\//.test(value) ? value : `http://${value}`;
  return withScheme.replace(/\/+$/, '');
}

/**
 * Build the language model for a spec. Providers are imported on demand, so this module is cheap
 * to import from the command line.
 */
export async function createLanguageModel(spec: string | undefined, options: CreateLanguageModelOptions = {}): Promise<ChatLanguageModel> {
  const env = options.env ?? {};
  const config: LlmConfig = {
    ...(options.config ? assertValid<LlmConfig>(llmConfigSchema, options.config, 'language-model config') : {}),
    ...(options.configFile ? loadLlmConfig(options.configFile) : {}),
  };
  const o = options.overrides;
  if (o?.timeoutMs !== undefined) config.timeoutMs = o.timeoutMs;
  if (o?.maxOutageMs !== undefined) config.maxOutageMs = o.maxOutageMs;
  if (o?.attempts !== undefined) config.retry = { ...config.retry, attempts: o.attempts };
  const chosen = spec?.trim() || config.provider || env.SKILLFORGE_LLM?.trim();
  if (!chosen) {
    throw new SkillforgeError('E_NO_LLM', 'no language model is configured', { hint: noModelHelp });
  }
  const parsed = parseProviderSpec(chosen);
  const baseUrl = options.baseUrl ?? parsed.baseUrl ?? config.baseUrl ?? env.SKILLFORGE_LLM_BASE_URL;
  const { backend, where, scope } = await createBackend(parsed, baseUrl, config, env);
  const replay = parsed.provider === 'replay';
  const cacheOn = !replay && options.cache !== false && config.cache !== false && Boolean(config.cacheDir ?? options.dataDir);
  const record = options.record ?? config.record;
  return new ChatLanguageModel({
    backend,
    where,
    cacheScope: scope,
    cache: cacheOn ? new ResponseCache(config.cacheDir ?? join(options.dataDir!, 'llm-cache')) : undefined,
    recorder: record ? new TranscriptRecorder(record) : undefined,
    retry: config.retry,
    timeoutMs: config.timeoutMs,
    maxOutageMs: config.maxOutageMs,
    report: options.report,
    structuredRetries: config.structuredRetries,
    scoring: config.scoring,
    votes: config.votes,
    normalize: config.normalize,
    temperature: config.temperature,
    maxTokens: config.maxTokens,
  });
}

function apiKey(config: LlmConfig, env: Record<string, string | undefined>, standard: string): string | undefined {
  if (config.apiKey) return config.apiKey;
  if (config.apiKeyEnv) return env[config.apiKeyEnv];
  return env[standard];
}

async function createBackend(
  spec: ProviderSpec,
  baseUrl: string | undefined,
  config: LlmConfig,
  env: Record<string, string | undefined>,
): Promise<{ backend: Backend; where?: string; scope?: string }> {
  const id = `${spec.provider}:${spec.model}`;
  switch (spec.provider) {
    case 'openai':
    case 'openai-compatible': {
      const compatible = spec.provider === 'openai-compatible';
      const url = baseUrl ?? (compatible ? undefined : env.OPENAI_BASE_URL);
      if (compatible && !url) {
        throw new SkillforgeError('E_LLM_SPEC', `${id} needs the server's base URL`, {
          hint: `write openai-compatible:${spec.model}@http://127.0.0.1:8000/v1, or pass --llm-base-url, or set baseUrl in --llm-config`,
        });
      }
      const key = apiKey(config, env, 'OPENAI_API_KEY');
      if (!compatible && !key) {
        throw new SkillforgeError('E_LLM_KEY', `${id} needs an OpenAI API key`, {
          hint: 'set OPENAI_API_KEY (or apiKeyEnv in --llm-config); for a local server use openai-compatible:<model>@<url>',
        });
      }
      const base = url ? openaiBaseUrl(url) : undefined;
      const { ChatOpenAI } = await import('@langchain/openai');
      const { LangchainBackend } = await import('./langchain-backend.js');
      const backend = new LangchainBackend({
        id,
        provider: spec.provider,
        chatLogprobs: true,
        make: (p) =>
          new ChatOpenAI({
            model: spec.model,
            apiKey: key ?? 'not-needed',
            configuration: { baseURL: base, defaultHeaders: config.headers },
            maxRetries: 0,
            ...(p.temperature === undefined ? {} : { temperature: p.temperature }),
            ...(p.maxTokens === undefined ? {} : { maxTokens: p.maxTokens }),
            ...(p.topLogprobs ? { logprobs: true, topLogprobs: p.topLogprobs } : {}),
          }),
        // OpenAI's own API no longer echoes prompt log-probabilities; local servers do.
        continuationLogprobs: compatible
          ? completionsLogprobs({ baseUrl: base!, model: spec.model, apiKey: key, headers: config.headers, provider: id })
          : undefined,
      });
      return { backend, scope: base, where: compatible ? `the OpenAI-compatible server at ${base}` : `OpenAI${base ? ` at ${base}` : ''}` };
    }
    case 'ollama': {
      const host = ollamaHost(baseUrl ?? env.OLLAMA_HOST ?? 'http://127.0.0.1:11434');
      const { ChatOllama } = await import('@langchain/ollama');
      const { LangchainBackend } = await import('./langchain-backend.js');
      const backend = new LangchainBackend({
        id,
        provider: 'ollama',
        make: (p) =>
          new ChatOllama({
            model: spec.model,
            baseUrl: host,
            headers: config.headers,
            maxRetries: 0,
            ...(p.temperature === undefined ? {} : { temperature: p.temperature }),
            ...(p.maxTokens === undefined ? {} : { numPredict: p.maxTokens }),
          }),
      });
      return { backend, scope: host, where: `the Ollama server at ${host} (start it with 'ollama serve'; pull the model with 'ollama pull ${spec.model}')` };
    }
    case 'anthropic': {
      const key = apiKey(config, env, 'ANTHROPIC_API_KEY');
      if (!key) {
        throw new SkillforgeError('E_LLM_KEY', `${id} needs an Anthropic API key`, { hint: 'set ANTHROPIC_API_KEY (or apiKeyEnv in --llm-config)' });
      }
      const { ChatAnthropic } = await import('@langchain/anthropic');
      const { LangchainBackend } = await import('./langchain-backend.js');
      const backend = new LangchainBackend({
        id,
        provider: 'anthropic',
        make: (p) =>
          new ChatAnthropic({
            model: spec.model,
            apiKey: key,
            ...(baseUrl ? { anthropicApiUrl: baseUrl } : {}),
            clientOptions: config.headers ? { defaultHeaders: config.headers } : undefined,
            maxRetries: 0,
            maxTokens: p.maxTokens ?? 2048,
            ...(p.temperature === undefined ? {} : { temperature: p.temperature }),
          }),
      });
      return { backend, scope: baseUrl, where: `Anthropic${baseUrl ? ` at ${baseUrl}` : ''}` };
    }
    case 'gguf': {
      const { createGgufBackend } = await import('./gguf-backend.js');
      return { backend: await createGgufBackend(spec.model, config.gguf, { nodeLlamaCppDir: env.SKILLFORGE_NODE_LLAMA_CPP }), where: `the GGUF model ${spec.model}` };
    }
    case 'replay':
      return { backend: new ReplayBackend(spec.model), where: `the transcript ${spec.model}` };
  }
}

/**
 * Wrap any langchain chat model (a provider we do not list, or langchain's FakeListChatModel in
 * tests) in the same machinery: time-outs, retries, cache, recording, structured output, scoring.
 * @example fromLangchain(new FakeListChatModel({ responses: ['{"ok":true}'] }), { id: 'fake:list' })
 */
export async function fromLangchain(
  model: import('@langchain/core/language_models/chat_models').BaseChatModel,
  options: { id: string } & Omit<import('./language-model.js').ChatLanguageModelOptions, 'backend'>,
): Promise<ChatLanguageModel> {
  const { LangchainBackend } = await import('./langchain-backend.js');
  const { id, ...rest } = options;
  const provider = id.includes(':') ? id.slice(0, id.indexOf(':')) : id;
  return new ChatLanguageModel({ ...rest, backend: new LangchainBackend({ id, provider, make: () => model }) });
}
