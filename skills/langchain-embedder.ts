/**
 * Embedders backed by any langchain `Embeddings` (OpenAI or an OpenAI-compatible server through a
 * baseURL, Ollama, ...). Vectors are L2-normalised so the library's inner-product index ranks by
 * cosine similarity whatever the provider returns.
 *
 * @example
 * ```ts
 * const embedder = await openAIEmbedder({ model: 'text-embedding-3-small', baseURL: 'http://127.0.0.1:8000/v1' });
 * const lib = await SkillLibrary.open(dir, { embedder }); // re-indexes if another embedder built the index
 * ```
 */
import type { Embeddings } from '@langchain/core/embeddings';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { normalizeL2, type Embedder } from './embedder.js';

export interface LangchainEmbedderOptions {
  /** Names the model and its settings: an index built under another id is rebuilt. */
  id: string;
  /** Output size; probed with one request when omitted (use LangchainEmbedder.create). */
  dim: number;
}

export class LangchainEmbedder implements Embedder {
  readonly id: string;
  readonly dim: number;
  private readonly embeddings: Embeddings;

  constructor(embeddings: Embeddings, options: LangchainEmbedderOptions) {
    this.embeddings = embeddings;
    this.dim = options.dim;
    this.id = `${options.id}:d${options.dim}`;
  }

  /** Wrap `embeddings`, asking it once for a vector when `dim` is not given. */
  static async create(embeddings: Embeddings, options: { id: string; dim?: number }): Promise<LangchainEmbedder> {
    let dim = options.dim;
    if (dim === undefined) {
      const [probe] = await callProvider(options.id, () => embeddings.embedDocuments(['dimension probe']));
      dim = probe?.length ?? 0;
      if (!dim) throw new SkillforgeError('E_EMBEDDER', `embedding model ${options.id} returned an empty vector`, { hint: 'check the model name' });
    }
    return new LangchainEmbedder(embeddings, { id: options.id, dim });
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const raw = await callProvider(this.id, () => this.embeddings.embedDocuments([...texts]));
    if (raw.length !== texts.length) {
      throw new SkillforgeError('E_EMBEDDER', `embedding model ${this.id} returned ${raw.length} vectors for ${texts.length} texts`);
    }
    return raw.map((v, i) => {
      if (v.length !== this.dim) {
        throw new SkillforgeError('E_EMBEDDER', `embedding model ${this.id} returned ${v.length} dimensions for text #${i}, expected ${this.dim}`, {
          hint: 'the model changed; open the library again so it re-indexes',
        });
      }
      return normalizeL2(Float32Array.from(v));
    });
  }
}

async function callProvider<T>(id: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new SkillforgeError('E_EMBEDDER', `embedding model ${id} failed: ${errorMessage(err)}`, {
      hint: 'check the server URL, model name and API key; the default hashed embedder needs none',
      cause: err,
    });
  }
}

export interface OpenAIEmbedderOptions {
  model: string;
  /** An OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 (vLLM, llama.cpp, LM Studio). */
  baseURL?: string;
  /** The key (the command line passes OPENAI_API_KEY); servers that need none accept any string. */
  apiKey?: string;
  /** Ask the model for this many dimensions (text-embedding-3 models). */
  dimensions?: number;
  batchSize?: number;
  maxRetries?: number;
}

/** OpenAIEmbeddings from @langchain/openai, loaded on demand. */
export async function openAIEmbedder(options: OpenAIEmbedderOptions): Promise<LangchainEmbedder> {
  const { OpenAIEmbeddings } = await import('@langchain/openai');
  const embeddings = new OpenAIEmbeddings({
    model: options.model,
    apiKey: options.apiKey ?? 'not-needed',
    dimensions: options.dimensions,
    batchSize: options.batchSize ?? 256,
    maxRetries: options.maxRetries ?? 2,
    configuration: options.baseURL ? { baseURL: options.baseURL } : undefined,
  });
  return LangchainEmbedder.create(embeddings, { id: `openai:${options.model}`, dim: options.dimensions });
}

export interface OllamaEmbedderOptions {
  model: string;
  /** Default http://127.0.0.1:11434 */
  baseUrl?: string;
  maxRetries?: number;
}

/** OllamaEmbeddings from @langchain/ollama, loaded on demand. */
export async function ollamaEmbedder(options: OllamaEmbedderOptions): Promise<LangchainEmbedder> {
  const { OllamaEmbeddings } = await import('@langchain/ollama');
  const embeddings = new OllamaEmbeddings({ model: options.model, baseUrl: options.baseUrl ?? 'http://127.0.0.1:11434', maxRetries: options.maxRetries ?? 2 });
  return LangchainEmbedder.create(embeddings, { id: `ollama:${options.model}` });
}
