/**
 * Builds a tiny GGUF language model whose next-token probabilities are known exactly, so the
 * GGUF path (node-llama-cpp) can be tested on a real model file without downloading weights.
 *
 * The model is a llama-architecture transformer with one block whose attention and MLP weights
 * are all zero. The residual stream is therefore the token embedding; embeddings are one-hot and
 * the final RMS norm weight is 1/sqrt(n_embd), so the logits after token i are exactly row i of a
 * bigram table: logit(j | i) = bigram[i][j]. `expectedLogprob` computes log-softmax of that table.
 *
 * Tokenizer: SentencePiece-style ("llama"): <unk>, <s>, </s>, 256 byte tokens, every single
 * character used by `words`, and every prefix of "▁word" so that merges reach whole words.
 *
 * API
 *   const m = buildTinyGguf({ words: ['pick', 'apple'], bigrams: [['▁the', '▁apple', 8]] });
 *   writeFileSync(path, m.bytes);
 *   m.vocab: string[]; m.id(token) -> index; m.expectedLogprob(prevTokenId, tokenId) -> number
 */

export interface TinyGgufSpec {
  /** Words (without the leading ▁) that become single tokens. */
  words: string[];
  /** Extra logits: [previous token, next token, logit]; all others are 0. */
  bigrams: Array<[string, string, number]>;
}

export interface TinyGguf {
  bytes: Buffer;
  vocab: string[];
  id(token: string): number;
  logits(prev: number): Float64Array;
  expectedLogprob(prev: number, next: number): number;
}

const T = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 } as const;

class Writer {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer) {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string) {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  pad(alignment: number) {
    const rest = this.length % alignment;
    if (rest) this.push(Buffer.alloc(alignment - rest));
  }
  done() {
    return Buffer.concat(this.chunks);
  }
}

export function buildTinyGguf(spec: TinyGgufSpec): TinyGguf {
  const vocab: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [2, 3, 3];
  for (let b = 0; b < 256; b++) {
    vocab.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
  }
  const normal = new Set<string>(['▁']);
  for (const w of spec.words) {
    const full = `▁${w}`;
    for (const ch of full) normal.add(ch);
    for (let i = 2; i <= full.length; i++) normal.add(full.slice(0, i));
  }
  for (const [a, b] of spec.bigrams) {
    normal.add(a);
    normal.add(b);
  }
  for (const t of normal) {
    vocab.push(t);
    types.push(1);
  }
  // Longer pieces score higher, so SentencePiece merges prefer whole words.
  const scores = vocab.map((t, i) => (types[i] === 1 ? -100 + [...t].length : 0));
  const index = new Map(vocab.map((t, i) => [t, i] as const));
  const id = (t: string) => {
    const i = index.get(t);
    if (i === undefined) throw new Error(`token ${t} not in the tiny vocabulary`);
    return i;
  };
  const nVocab = vocab.length;
  const heads = 4;
  const nEmbd = Math.ceil(nVocab / (heads * 16)) * heads * 16;
  const nFf = 64;
  const table = new Float64Array(nVocab * nVocab); // table[prev * nVocab + next]
  for (const [a, b, logit] of spec.bigrams) table[id(a) * nVocab + id(b)] = logit;

  const logits = (prev: number) => table.slice(prev * nVocab, (prev + 1) * nVocab);
  const expectedLogprob = (prev: number, next: number) => {
    const row = logits(prev);
    const max = Math.max(...row);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    return row[next]! - max - Math.log(sum);
  };

  // Tensors: [name, ne (innermost first), values]
  const tensors: Array<[string, number[], Float32Array]> = [];
  const embd = new Float32Array(nEmbd * nVocab);
  for (let v = 0; v < nVocab; v++) embd[v * nEmbd + v] = 1;
  tensors.push(['token_embd.weight', [nEmbd, nVocab], embd]);
  const outNorm = new Float32Array(nEmbd).fill(1 / Math.sqrt(nEmbd));
  tensors.push(['output_norm.weight', [nEmbd], outNorm]);
  const out = new Float32Array(nEmbd * nVocab); // row j (next token) · x (one-hot prev) = table[prev][j]
  for (let prev = 0; prev < nVocab; prev++) for (let next = 0; next < nVocab; next++) out[next * nEmbd + prev] = table[prev * nVocab + next]!;
  tensors.push(['output.weight', [nEmbd, nVocab], out]);
  const ones = new Float32Array(nEmbd).fill(1);
  tensors.push(['blk.0.attn_norm.weight', [nEmbd], ones]);
  for (const n of ['attn_q', 'attn_k', 'attn_v', 'attn_output']) tensors.push([`blk.0.${n}.weight`, [nEmbd, nEmbd], new Float32Array(nEmbd * nEmbd)]);
  tensors.push(['blk.0.ffn_norm.weight', [nEmbd], ones]);
  tensors.push(['blk.0.ffn_gate.weight', [nEmbd, nFf], new Float32Array(nEmbd * nFf)]);
  tensors.push(['blk.0.ffn_up.weight', [nEmbd, nFf], new Float32Array(nEmbd * nFf)]);
  tensors.push(['blk.0.ffn_down.weight', [nFf, nEmbd], new Float32Array(nEmbd * nFf)]);

  const kv: Array<[string, (w: Writer) => void]> = [
    ['general.architecture', (w) => (w.u32(T.STRING), w.str('llama'))],
    ['general.name', (w) => (w.u32(T.STRING), w.str('skillforge-tiny-bigram'))],
    ['general.alignment', (w) => (w.u32(T.UINT32), w.u32(32))],
    ['llama.context_length', (w) => (w.u32(T.UINT32), w.u32(512))],
    ['llama.embedding_length', (w) => (w.u32(T.UINT32), w.u32(nEmbd))],
    ['llama.block_count', (w) => (w.u32(T.UINT32), w.u32(1))],
    ['llama.feed_forward_length', (w) => (w.u32(T.UINT32), w.u32(nFf))],
    ['llama.attention.head_count', (w) => (w.u32(T.UINT32), w.u32(heads))],
    ['llama.attention.head_count_kv', (w) => (w.u32(T.UINT32), w.u32(heads))],
    ['llama.attention.layer_norm_rms_epsilon', (w) => (w.u32(T.FLOAT32), w.f32(1e-12))],
    ['llama.rope.dimension_count', (w) => (w.u32(T.UINT32), w.u32(nEmbd / heads))],
    ['llama.vocab_size', (w) => (w.u32(T.UINT32), w.u32(nVocab))],
    ['tokenizer.ggml.model', (w) => (w.u32(T.STRING), w.str('llama'))],
    ['tokenizer.ggml.tokens', (w) => (w.u32(T.ARRAY), w.u32(T.STRING), w.u64(nVocab), vocab.forEach((t) => w.str(t)))],
    ['tokenizer.ggml.scores', (w) => (w.u32(T.ARRAY), w.u32(T.FLOAT32), w.u64(nVocab), scores.forEach((s) => w.f32(s)))],
    ['tokenizer.ggml.token_type', (w) => (w.u32(T.ARRAY), w.u32(T.INT32), w.u64(nVocab), types.forEach((t) => w.i32(t)))],
    ['tokenizer.ggml.unknown_token_id', (w) => (w.u32(T.UINT32), w.u32(0))],
    ['tokenizer.ggml.bos_token_id', (w) => (w.u32(T.UINT32), w.u32(1))],
    ['tokenizer.ggml.eos_token_id', (w) => (w.u32(T.UINT32), w.u32(2))],
    ['tokenizer.ggml.add_bos_token', (w) => (w.u32(T.BOOL), w.push(Buffer.from([1])))],
    ['tokenizer.ggml.add_eos_token', (w) => (w.u32(T.BOOL), w.push(Buffer.from([0])))],
  ];

  const w = new Writer();
  w.push(Buffer.from('GGUF', 'ascii'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kv.length);
  for (const [key, write] of kv) {
    w.str(key);
    write(w);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const [name, ne, data] of tensors) {
    w.str(name);
    w.u32(ne.length);
    for (const d of ne) w.u64(d);
    w.u32(0); // GGML_TYPE_F32
    w.u64(offset);
    offsets.push(offset);
    offset += Math.ceil((data.byteLength) / 32) * 32;
  }
  w.pad(32);
  for (const [, , data] of tensors) {
    w.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    w.pad(32);
  }
  return { bytes: w.done(), vocab, id, logits, expectedLogprob };
}
