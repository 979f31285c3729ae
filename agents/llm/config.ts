/**
 * The language-model config file (JSON or YAML, given with --llm-config), validated by ajv.
 * Everything in it is optional; command-line flags win over it.
 *
 * @example  # llm.yaml
 *   provider: openai-compatible:Qwen2.5-7B-Instruct
 *   baseUrl: http://127.0.0.1:8000/v1
 *   temperature: 0
 *   timeoutMs: 120000        # per request
 *   maxOutageMs: 600000      # an agent waits out a provider outage this long
 *   retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 8000 }
 *   scoring: auto
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SkillforgeError } from '../../core/errors.js';
import type { JsonSchema } from '../../core/types.js';
import { assertValid } from '../../core/validate.js';

export interface LlmConfig {
  /** A provider spec, as for --llm. */
  provider?: string;
  baseUrl?: string;
  /** The key itself (prefer apiKeyEnv: keys do not belong in files). */
  apiKey?: string;
  /** Name of the environment variable holding the key. */
  apiKeyEnv?: string;
  headers?: Record<string, string>;
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
  /** How long an agent waits out a provider outage after the quick retries (see circuit.ts). */
  maxOutageMs?: number;
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  structuredRetries?: number;
  scoring?: 'auto' | 'logprobs' | 'choice' | 'ranking' | 'votes';
  votes?: number;
  /** Say scores from log-probabilities: summed (default) or averaged per token. */
  normalize?: 'sum' | 'mean';
  /** Response cache on disk (default on when a data dir is known). */
  cache?: boolean;
  cacheDir?: string;
  /** Append every call to this JSONL transcript. */
  record?: string;
  gguf?: { contextSize?: number; gpu?: 'auto' | 'cuda' | 'vulkan' | 'metal' | false; threads?: number };
}

export const llmConfigSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provider: { type: 'string', minLength: 3 },
    baseUrl: { type: 'string', pattern: '^https?://' },
    apiKey: { type: 'string', minLength: 1 },
    apiKeyEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    temperature: { type: 'number', minimum: 0, maximum: 2 },
    maxTokens: { type: 'integer', minimum: 1 },
    timeoutMs: { type: 'integer', minimum: 1 },
    maxOutageMs: { type: 'integer', minimum: 0 },
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        attempts: { type: 'integer', minimum: 1, maximum: 20 },
        baseDelayMs: { type: 'integer', minimum: 0 },
        maxDelayMs: { type: 'integer', minimum: 0 },
      },
    },
    structuredRetries: { type: 'integer', minimum: 0, maximum: 10 },
    scoring: { enum: ['auto', 'logprobs', 'choice', 'ranking', 'votes'] },
    votes: { type: 'integer', minimum: 1, maximum: 100 },
    normalize: { enum: ['sum', 'mean'] },
    cache: { type: 'boolean' },
    cacheDir: { type: 'string', minLength: 1 },
    record: { type: 'string', minLength: 1 },
    gguf: {
      type: 'object',
      additionalProperties: false,
      properties: {
        contextSize: { type: 'integer', minimum: 16 },
        gpu: { enum: ['auto', 'cuda', 'vulkan', 'metal', false] },
        threads: { type: 'integer', minimum: 1 },
      },
    },
  },
};

/** Read and validate a config file; .yaml/.yml as YAML, anything else as JSON. */
export function loadLlmConfig(path: string): LlmConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SkillforgeError('E_LLM_CONFIG', `cannot read language-model config ${path}: ${(e as Error).message}`, {
      hint: 'pass an existing JSON or YAML file to --llm-config',
    });
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(extname(path)) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new SkillforgeError('E_LLM_CONFIG', `${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
  return assertValid<LlmConfig>(llmConfigSchema, value ?? {}, `language-model config ${path}`, 'see docs/llm.md for the fields');
}
