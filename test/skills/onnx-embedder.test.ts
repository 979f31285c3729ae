import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxGraphBuilder, attr, encodeModel } from '../../core/onnx.js';
import { Random } from '../../core/random.js';
import { SkillLibrary } from '../../skills/library.js';
import { OnnxEmbedder, WordPieceTokenizer } from '../../skills/onnx-embedder.js';
import { collectingLogger } from './helpers.js';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'mine', 'wood', 'log', '##s', 'tree', 'boil', 'water', 'pot', 'kettle', 'craft', 'table', 'plank', 'chop', 'a', 'the', ',', '.'];
const H = 8;

/** A token-embedding table where related words point the same way (tree ~ wood, kettle ~ pot). */
function table(): number[] {
  const rnd = new Random(3);
  const rows = VOCAB.map(() => Array.from({ length: H }, () => rnd.normal()));
  const near = (a: string, b: string) => (rows[VOCAB.indexOf(a)] = rows[VOCAB.indexOf(b)]!.map((x) => x + 0.1 * rnd.normal()));
  near('tree', 'wood');
  near('chop', 'mine');
  near('kettle', 'pot');
  rows[0] = new Array(H).fill(0);
  return rows.flat();
}

/** A tiny "sentence model": token ids -> embedding rows, [N, L, H] token states (mean pooling is ours). */
function writeModel(dir: string, options: { inputName?: string; pooled?: 'bad' } = {}): void {
  mkdirSync(dir, { recursive: true });
  const g = new OnnxGraphBuilder('tiny-sentence-model');
  const ids = g.input(options.inputName ?? 'input_ids', 'int64', ['N', 'L']);
  g.input('attention_mask', 'int64', ['N', 'L']);
  const e = g.init('embeddings', 'float32', [VOCAB.length, H], table());
  const states = g.op('Gather', [e, ids], { axis: attr.int(0) }, options.pooled ? 'states' : 'last_hidden_state');
  if (options.pooled === 'bad') g.output(g.op('ReduceMean', [states], { axes: attr.ints([1, 2]), keepdims: attr.int(0) }, 'flat'), 'float32', ['N']);
  else g.output(states, 'float32', ['N', 'L', H]);
  writeFileSync(join(dir, 'model.onnx'), encodeModel(g.model()));
  writeFileSync(join(dir, 'vocab.txt'), `${VOCAB.join('\n')}\n`);
  writeFileSync(join(dir, 'embedder.json'), JSON.stringify({ pooling: 'mean', normalize: true, maxLength: 32 }));
}

describe('skills/onnx-embedder (a model built by the test, run by onnxruntime-node)', function () {
  this.timeout(30_000);
  let root: string;
  before(() => (root = mkdtempSync(join(tmpdir(), 'sf-onnx-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('tokenises with WordPiece', () => {
    const t = new WordPieceTokenizer(VOCAB);
    assert.deepEqual(t.encode('Mine wood LOGS, zebra', 32), [2, 4, 5, 6, 7, 19, 1, 3]);
    assert.equal(t.encode('wood '.repeat(100), 8).length, 8);
  });

  it('embeds with mean pooling and normalisation, exactly as computed by hand', async () => {
    const dir = join(root, 'ok');
    writeModel(dir);
    const e = await OnnxEmbedder.load(dir);
    assert.equal(e.dim, H);
    assert.match(e.id, /^onnx:ok:[0-9a-f]{12}:d8$/);
    const [v, w] = await e.embed(['Mine wood logs', 'boil water']);
    const rows = table();
    const ids = [2, 4, 5, 6, 7, 3];
    const expected = new Array(H).fill(0).map((_, j) => ids.reduce((s, id) => s + rows[id * H + j]!, 0) / ids.length);
    const norm = Math.hypot(...expected);
    expected.forEach((x, j) => assert.ok(Math.abs(x / norm - v![j]!) < 1e-5, `dim ${j}`));
    assert.ok(Math.abs(Math.hypot(...w!) - 1) < 1e-5);
    await e.close();
  });

  it('drives the library: related words find the skill', async () => {
    const dir = join(root, 'lib-model');
    writeModel(dir);
    const e = await OnnxEmbedder.load(dir);
    const libDir = join(root, 'lib');
    const lib = await SkillLibrary.open(libDir, { embedder: e, logger: collectingLogger() });
    await lib.addMany([
      { name: 'mineWoodLog', env: 'minecraft', description: 'mine a wood log', code: 'async function mineWoodLog(bot) {}' },
      { name: 'boilWater', env: 'kitchen', description: 'boil water in the pot', code: 'async function boilWater(r) {}' },
      { name: 'craftTable', env: 'minecraft', description: 'craft a table', code: 'async function craftTable(bot) {}' },
    ]);
    assert.equal((await lib.search('chop tree', 1))[0]?.skill.name, 'mineWoodLog');
    assert.equal((await lib.search('kettle', 1))[0]?.skill.name, 'boilWater');
    await lib.close();
    await e.close();
  });

  it('clear errors: missing files, unexpected input names, wrong output shape', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await assert.rejects(OnnxEmbedder.load(empty), /no model\.onnx in/);
    const noVocab = join(root, 'novocab');
    writeModel(noVocab);
    rmSync(join(noVocab, 'vocab.txt'));
    await assert.rejects(OnnxEmbedder.load(noVocab), /no vocab\.txt or tokenizer\.json/);
    const renamed = join(root, 'renamed');
    writeModel(renamed, { inputName: 'tokens' });
    await assert.rejects(OnnxEmbedder.load(renamed), /model inputs are \[tokens, attention_mask\]; expected input_ids and attention_mask/);
    const flat = join(root, 'flat');
    writeModel(flat, { pooled: 'bad' });
    await assert.rejects(OnnxEmbedder.load(flat), /model output flat has shape \[1\]; expected \[1, 4, hidden\]/);
    const badConfig = join(root, 'badconfig');
    writeModel(badConfig);
    writeFileSync(join(badConfig, 'embedder.json'), '{"pooling":"max"}');
    await assert.rejects(OnnxEmbedder.load(badConfig), /invalid embedder config .*\/pooling must be equal to one of the allowed values/);
  });
});
