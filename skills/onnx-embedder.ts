/**
 * A sentence-embedding model (BERT-style, e.g. an exported all-MiniLM) loaded from a local folder and
 * run by onnxruntime-node. Nothing is downloaded: the folder holds
 *   model.onnx       inputs input_ids [N, L] int64, attention_mask [N, L] int64 (token_type_ids
 *                    [N, L] int64 optional); output [N, L, H] token states (or [N, H] already pooled)
 *   vocab.txt        WordPiece vocabulary, one token per line (or tokenizer.json with a WordPiece model)
 *   embedder.json    optional settings, e.g.
 *                    { "pooling": "mean", "normalize": true, "maxLength": 128, "lowercase": true,
 *                      "output": "last_hidden_state" }
 * The id includes a digest of model.onnx and vocab, so a changed model re-indexes the library.
 *
 * @example
 * ```ts
 * const embedder = await OnnxEmbedder.load('/models/minilm');
 * const lib = await SkillLibrary.open(dir, { embedder });
 * ```
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { assertValid } from '../core/validate.js';
import type { JsonSchema } from '../core/types.js';
import { normalizeL2, type Embedder } from './embedder.js';

export interface OnnxEmbedderConfig {
  pooling: 'mean' | 'cls';
  normalize: boolean;
  maxLength: number;
  lowercase: boolean;
  /** Output to read (default: the model's first output). */
  output?: string;
  /** Texts per onnxruntime call. */
  batchSize: number;
}

const CONFIG_FILE = 'embedder.json';
const DEFAULTS: OnnxEmbedderConfig = { pooling: 'mean', normalize: true, maxLength: 128, lowercase: true, batchSize: 32 };

const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    pooling: { enum: ['mean', 'cls'] },
    normalize: { type: 'boolean' },
    maxLength: { type: 'integer', minimum: 4, maximum: 8192 },
    lowercase: { type: 'boolean' },
    output: { type: 'string' },
    batchSize: { type: 'integer', minimum: 1, maximum: 4096 },
  },
};

/** BERT basic tokenisation + greedy longest-match WordPiece. */
export class WordPieceTokenizer {
  private readonly vocab: Map<string, number>;
  readonly cls: number;
  readonly sep: number;
  readonly pad: number;
  readonly unk: number;

  constructor(tokens: readonly string[], private readonly lowercase = true) {
    this.vocab = new Map(tokens.map((t, i) => [t, i]));
    const need = (t: string) => {
      const id = this.vocab.get(t);
      if (id === undefined) throw new SkillforgeError('E_ONNX_EMBEDDER', `the vocabulary has no ${t} token`, { hint: 'use the vocab.txt exported with the model' });
      return id;
    };
    this.cls = need('[CLS]');
    this.sep = need('[SEP]');
    this.pad = need('[PAD]');
    this.unk = need('[UNK]');
  }

  /** Words and punctuation marks, accents stripped (and lowercased when the model is uncased). */
  basic(text: string): string[] {
    let t = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    if (this.lowercase) t = t.toLowerCase();
    return t.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
  }

  wordPiece(word: string): number[] {
    if (word.length > 100) return [this.unk];
    const out: number[] = [];
    let start = 0;
    while (start < word.length) {
      let end = word.length;
      let id: number | undefined;
      while (start < end) {
        const piece = (start > 0 ? '##' : '') + word.slice(start, end);
        id = this.vocab.get(piece);
        if (id !== undefined) break;
        end--;
      }
      if (id === undefined) return [this.unk];
      out.push(id);
      start = end;
    }
    return out;
  }

  /** [CLS] tokens [SEP], truncated to maxLength. */
  encode(text: string, maxLength: number): number[] {
    const ids = [this.cls];
    for (const w of this.basic(text)) {
      for (const id of this.wordPiece(w)) {
        if (ids.length >= maxLength - 1) break;
        ids.push(id);
      }
      if (ids.length >= maxLength - 1) break;
    }
    ids.push(this.sep);
    return ids;
  }
}

function readVocab(dir: string): { tokens: string[]; file: string } {
  const txt = join(dir, 'vocab.txt');
  if (existsSync(txt)) return { tokens: readFileSync(txt, 'utf8').split(/\r?\n/).filter((l, i, a) => l !== '' || i < a.length - 1), file: txt };
  const json = join(dir, 'tokenizer.json');
  if (existsSync(json)) {
    let vocab: Record<string, number> | undefined;
    try {
      const t = JSON.parse(readFileSync(json, 'utf8')) as { model?: { type?: string; vocab?: Record<string, number> } };
      if (t.model?.type !== 'WordPiece' || !t.model.vocab) throw new Error(`its model is ${t.model?.type ?? 'missing'}, not WordPiece`);
      vocab = t.model.vocab;
    } catch (err) {
      throw new SkillforgeError('E_ONNX_EMBEDDER', `cannot use ${json}: ${errorMessage(err)}`, { hint: 'provide a vocab.txt (WordPiece, one token per line)' });
    }
    const tokens: string[] = [];
    for (const [tok, id] of Object.entries(vocab)) tokens[id] = tok;
    return { tokens, file: json };
  }
  throw new SkillforgeError('E_ONNX_EMBEDDER', `no vocab.txt or tokenizer.json in ${dir}`, {
    hint: 'the model folder needs model.onnx, vocab.txt (or tokenizer.json) and optionally embedder.json',
  });
}

export class OnnxEmbedder implements Embedder {
  readonly id: string;
  readonly dim: number;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: WordPieceTokenizer,
    private readonly config: OnnxEmbedderConfig,
    private readonly output: string,
    private readonly feedsTypeIds: boolean,
    dim: number,
    id: string,
  ) {
    this.dim = dim;
    this.id = id;
  }

  /** Load model, vocabulary and settings from `folder`, and check the model's inputs and outputs. */
  static async load(folder: string): Promise<OnnxEmbedder> {
    const dir = resolve(folder);
    const modelPath = join(dir, 'model.onnx');
    if (!existsSync(modelPath)) {
      throw new SkillforgeError('E_ONNX_EMBEDDER', `no model.onnx in ${dir}`, { hint: 'export the sentence model to ONNX as model.onnx in that folder' });
    }
    let config = DEFAULTS;
    const configPath = join(dir, CONFIG_FILE);
    if (existsSync(configPath)) {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(configPath, 'utf8'));
      } catch (err) {
        throw new SkillforgeError('E_ONNX_EMBEDDER', `${configPath} is not JSON: ${errorMessage(err)}`);
      }
      config = { ...DEFAULTS, ...assertValid<Partial<OnnxEmbedderConfig>>(configSchema, raw, `embedder config ${configPath}`) };
    }
    const vocab = readVocab(dir);
    const tokenizer = new WordPieceTokenizer(vocab.tokens, config.lowercase);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelPath);
    } catch (err) {
      throw new SkillforgeError('E_ONNX_EMBEDDER', `onnxruntime cannot load ${modelPath}: ${errorMessage(err)}`, { hint: 'is it a valid ONNX file?', cause: err });
    }
    try {
      const known = new Set(['input_ids', 'attention_mask', 'token_type_ids']);
      const unknown = session.inputNames.filter((n) => !known.has(n));
      if (!session.inputNames.includes('input_ids') || unknown.length) {
        throw new SkillforgeError('E_ONNX_EMBEDDER', `model inputs are [${session.inputNames.join(', ')}]; expected input_ids and attention_mask (token_type_ids optional)`, {
          hint: 'export the model with the standard BERT input names',
        });
      }
      for (const m of session.inputMetadata) {
        if (m.isTensor && m.type !== 'int64') {
          throw new SkillforgeError('E_ONNX_EMBEDDER', `model input ${m.name} has element type ${m.type}; expected int64`, { hint: 'export token inputs as int64' });
        }
        if (m.isTensor && m.shape.length && m.shape.length !== 2) {
          throw new SkillforgeError('E_ONNX_EMBEDDER', `model input ${m.name} has shape [${m.shape.join(', ')}]; expected [batch, sequence]`);
        }
      }
      const output = config.output ?? session.outputNames[0]!;
      if (!session.outputNames.includes(output)) {
        throw new SkillforgeError('E_ONNX_EMBEDDER', `model has no output ${output} (outputs: ${session.outputNames.join(', ')})`, { hint: `set "output" in ${CONFIG_FILE}` });
      }
      const digest = createHash('sha256').update(readFileSync(modelPath)).update(readFileSync(vocab.file)).update(JSON.stringify(config)).digest('hex').slice(0, 12);
      const probe = new OnnxEmbedder(session, tokenizer, config, output, session.inputNames.includes('token_type_ids'), 0, '');
      const [v] = await probe.run(['dimension probe']);
      const dim = v!.length;
      return new OnnxEmbedder(session, tokenizer, config, output, probe.feedsTypeIds, dim, `onnx:${basename(dir)}:${digest}:d${dim}`);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  private async run(texts: readonly string[]): Promise<Float32Array[]> {
    const encoded = texts.map((t) => this.tokenizer.encode(t, this.config.maxLength));
    const n = encoded.length;
    const len = Math.max(...encoded.map((e) => e.length));
    const ids = new BigInt64Array(n * len).fill(BigInt(this.tokenizer.pad));
    const mask = new BigInt64Array(n * len);
    encoded.forEach((e, r) => e.forEach((id, c) => {
      ids[r * len + c] = BigInt(id);
      mask[r * len + c] = 1n;
    }));
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, [n, len]) };
    if (this.session.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', mask, [n, len]);
    if (this.feedsTypeIds) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(n * len), [n, len]);
    let out: ort.Tensor;
    try {
      out = (await this.session.run(feeds))[this.output]!;
    } catch (err) {
      throw new SkillforgeError('E_ONNX_EMBEDDER', `the embedding model failed: ${errorMessage(err)}`, { cause: err });
    }
    if (out.type !== 'float32') throw new SkillforgeError('E_ONNX_EMBEDDER', `model output ${this.output} is ${out.type}; expected float32`);
    const data = out.data as Float32Array;
    const dims = out.dims;
    const vecs: Float32Array[] = [];
    if (dims.length === 2 && dims[0] === n) {
      const h = dims[1]!;
      for (let r = 0; r < n; r++) vecs.push(data.slice(r * h, (r + 1) * h));
    } else if (dims.length === 3 && dims[0] === n && dims[1] === len) {
      const h = dims[2]!;
      for (let r = 0; r < n; r++) {
        const v = new Float32Array(h);
        if (this.config.pooling === 'cls') v.set(data.subarray(r * len * h, r * len * h + h));
        else {
          const count = encoded[r]!.length;
          for (let c = 0; c < count; c++) {
            const off = (r * len + c) * h;
            for (let j = 0; j < h; j++) v[j]! += data[off + j]!;
          }
          for (let j = 0; j < h; j++) v[j]! /= count;
        }
        vecs.push(v);
      }
    } else {
      throw new SkillforgeError('E_ONNX_EMBEDDER', `model output ${this.output} has shape [${dims.join(', ')}]; expected [${n}, ${len}, hidden] token states or [${n}, hidden]`, {
        hint: `choose the token-state output with "output" in ${CONFIG_FILE}`,
      });
    }
    if (this.config.normalize) for (const v of vecs) normalizeL2(v);
    return vecs;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.config.batchSize) out.push(...(await this.run(texts.slice(i, i + this.config.batchSize))));
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
