import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxGraphBuilder, encodeModel, type OnnxDType } from '../../core/onnx.js';
import { SkillforgeError } from '../../core/errors.js';
import { designLayout, FeatureEncoder, type FeatureLayout } from '../../agents/affordance/features.js';
import { OnnxAffordanceModel } from '../../agents/affordance/onnx-model.js';
import type { AffordanceManifest } from '../../agents/affordance/manifest.js';
import { NAMES, observe, randomState } from './synthetic.js';
import { Random } from '../../core/random.js';
import type { SkillCall } from '../../core/types.js';

const layout: FeatureLayout = designLayout({
  observationLayout: 'synth/v1',
  observationNames: NAMES,
  bindings: ['at_robot={object}'],
  skillBuckets: 8,
  argBuckets: 8,
});

/** A "trained elsewhere" model: logits = x · w, as a PyTorch export would produce. */
function externalModel(o: { inName?: string; outName?: string; dim?: number; dtype?: OnnxDType; batch?: number | string } = {}): Uint8Array {
  const dim = o.dim ?? layout.dim;
  const g = new OnnxGraphBuilder('torch_export');
  const x = g.input(o.inName ?? 'input', o.dtype ?? 'float32', [o.batch ?? 'batch', dim]);
  const w = Array.from({ length: dim }, (_, i) => ((i % 5) - 2) * 0.1);
  const xf = o.dtype && o.dtype !== 'float32' ? g.op('Cast', [x], { to: { type: 'int', value: 1 } }) : x;
  g.output(g.op('MatMul', [xf, g.init('w', 'float32', [dim, 1], w)], {}, o.outName ?? 'logits'), 'float32', [o.batch ?? 'batch', 1]);
  return encodeModel(g.model());
}

function manifest(over: Partial<AffordanceManifest> = {}): AffordanceManifest {
  return {
    format: 'skillforge-affordance-model',
    version: 1,
    model: 'ext.onnx',
    kind: 'external',
    input: { name: 'input', dtype: 'float32', dim: layout.dim },
    output: { name: 'logits', kind: 'logit' },
    features: layout,
    ...over,
  };
}

describe('affordance: loading models trained elsewhere, with a manifest', () => {
  let dir: string;
  let n = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sf-man-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Write model + manifest under a fresh name; returns the .onnx path. */
  function write(bytes: Uint8Array | string, m: unknown = manifest()): string {
    const base = join(dir, `m${n++}`);
    writeFileSync(`${base}.onnx`, bytes);
    const mm = { ...(m as object), model: `${base.split('/').pop()}.onnx` };
    writeFileSync(`${base}.json`, JSON.stringify(mm));
    return `${base}.onnx`;
  }

  async function rejects(path: string, code: string, pattern: RegExp, options = {}) {
    await assert.rejects(OnnxAffordanceModel.load(path, options), (e: unknown) => {
      assert.ok(e instanceof SkillforgeError, String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, pattern);
      assert.ok(e.hint, 'has a hint');
      return true;
    });
  }

  it('loads an external logit model and scores with a sigmoid, in one batch', async () => {
    const model = await OnnxAffordanceModel.load(write(externalModel()));
    const obs = observe(randomState(new Random(1)));
    const calls: SkillCall[] = [
      { skill: 'pick', args: { object: 'apple' } },
      { skill: 'go_to', args: { location: 'sink' } },
    ];
    const p = await model.score(obs, calls);
    const rows = await new FeatureEncoder(layout).encode(obs, calls);
    for (let r = 0; r < 2; r++) {
      let z = 0;
      for (let i = 0; i < layout.dim; i++) z += rows[r * layout.dim + i]! * Math.fround(((i % 5) - 2) * 0.1);
      assert.ok(Math.abs(p[r]! - 1 / (1 + Math.exp(-z))) < 1e-5);
    }
    await model.close();
  });

  it('names a missing manifest, a missing model file and an invalid manifest', async () => {
    const lonely = join(dir, 'lonely.onnx');
    writeFileSync(lonely, externalModel());
    await rejects(lonely, 'E_NOT_FOUND', /no affordance manifest/);
    const p = write(externalModel(), { ...manifest(), model: 'x' });
    rmSync(p);
    await rejects(p, 'E_NOT_FOUND', /does not exist/);
    const { input: _drop, ...noInput } = manifest();
    await rejects(write(externalModel(), noInput), 'E_INVALID', /must have required property 'input'/);
    await rejects(write(externalModel(), manifest({ input: { name: 'input', dtype: 'float32', dim: 3 } })), 'E_MANIFEST_MISMATCH', /input.dim is 3/);
    await rejects(write('not an onnx file'), 'E_ONNX_LOAD', /cannot load/);
  });

  it('rejects input-name, output-name, shape, batch and type mismatches', async () => {
    await rejects(write(externalModel({ inName: 'x' })), 'E_MANIFEST_MISMATCH', /no input 'input' \(its inputs: x\)/);
    await rejects(write(externalModel({ outName: 'y' })), 'E_MANIFEST_MISMATCH', /no output 'logits' \(its outputs: y\)/);
    await rejects(write(externalModel({ dim: layout.dim + 3 })), 'E_MANIFEST_MISMATCH', new RegExp(`rows of ${layout.dim + 3} features.*rows of ${layout.dim}`));
    await rejects(write(externalModel({ batch: 1 })), 'E_MANIFEST_MISMATCH', /fixed batch size 1/);
    await rejects(write(externalModel({ dtype: 'float64' })), 'E_MANIFEST_MISMATCH', /element type float64/);
  });

  it('refuses observations of another layout and models that need an embedder', async () => {
    const model = await OnnxAffordanceModel.load(write(externalModel()));
    const obs = observe(randomState(new Random(2)));
    await assert.rejects(
      model.score({ ...obs, featureNames: obs.featureNames.map((f, i) => (i === 3 ? 'renamed' : f)) }, [{ skill: 'pick', args: {} }]),
      (e: unknown) => e instanceof SkillforgeError && e.code === 'E_LAYOUT_MISMATCH' && /feature 3 is 'renamed'/.test(e.message),
    );
    await assert.rejects(
      model.score({ ...obs, features: obs.features.subarray(1), featureNames: obs.featureNames.slice(1) }, []),
      (e: unknown) => e instanceof SkillforgeError && e.code === 'E_LAYOUT_MISMATCH',
    );
    await model.close();
    const withEmb = designLayout({ observationLayout: 'synth/v1', observationNames: NAMES, embedder: { id: 'hashed-64', dim: 64 }, argBuckets: 8 });
    const p = write(externalModel({ dim: withEmb.dim }), manifest({ features: withEmb, input: { name: 'input', dtype: 'float32', dim: withEmb.dim } }));
    await rejects(p, 'E_LAYOUT_MISMATCH', /embedder 'hashed-64'/);
    const wrong = { id: 'other', dim: 64, embed: async (t: readonly string[]) => t.map(() => new Float32Array(64)) };
    await rejects(p, 'E_LAYOUT_MISMATCH', /got 'other'/, { embedder: wrong });
    const right = { id: 'hashed-64', dim: 64, embed: async (t: readonly string[]) => t.map((s) => new Float32Array(64).fill(s.length / 10)) };
    const ok = await OnnxAffordanceModel.load(p, { embedder: right });
    assert.equal((await ok.score(obs, [{ skill: 'pick', args: { object: 'cup' } }])).length, 1);
    await ok.close();
  });
});
