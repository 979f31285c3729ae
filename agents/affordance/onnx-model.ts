/**
 * `OnnxAffordanceModel`: SayCan's "Can" backed by onnxruntime-node. It reads a manifest (see
 * manifest.ts), checks the ONNX file against it (input/output names, element type, row width),
 * and scores all candidate calls of an observation in ONE batched `session.run`.
 *
 * @example
 * ```ts
 * const model = await OnnxAffordanceModel.load('models/kitchen.onnx');   // reads models/kitchen.json
 * const p = await model.score(await env.observe(), candidates);           // Float32Array of P(success)
 * await model.close();
 * ```
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { SkillforgeError } from '../../core/errors.js';
import type { Observation, SkillCall } from '../../core/types.js';
import type { Embedder } from '../../skills/embedder.js';
import type { AffordanceModel } from './model.js';
import { FeatureEncoder, rowBlocks } from './features.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, manifestPathFor, readManifest, validateManifestObject, type AffordanceManifest } from './manifest.js';
import { FACTORED_INPUTS, INPUT_NAME, OUTPUT_NAME, distinctPairs, factorRows, spreadPairs, toFactoredOnnxBytes, type FactoredRows, type RowBlocks } from './net.js';
import type { TrainResult } from './train.js';

export interface LoadOptions {
  /** Required when the layout encodes skills with an embedder (must match its id and dim). */
  embedder?: Embedder;
  /** Passed to onnxruntime; default: 1 intra-op thread, all graph optimisations, sequential. */
  sessionOptions?: ort.InferenceSession.SessionOptions;
}

export const DEFAULT_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
};

function mismatch(message: string, hint: string): SkillforgeError {
  return new SkillforgeError('E_MANIFEST_MISMATCH', message, { hint });
}

export class OnnxAffordanceModel implements AffordanceModel {
  readonly id: string;
  private readonly outputIsLogit: boolean;
  /** Set when the model takes factored rows (manifest input.representation 'factored'). */
  private readonly blocks: RowBlocks | null;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly manifest: AffordanceManifest,
    readonly encoder: FeatureEncoder,
    readonly modelPath: string,
  ) {
    this.id = `onnx:${basename(modelPath)}`;
    this.outputIsLogit = manifest.output.kind === 'logit';
    this.blocks = manifest.input.representation === 'factored' ? rowBlocks(manifest.features) : null;
  }

  /**
   * Load a model from its .onnx path or its manifest path. Throws SkillforgeError with a hint on a
   * missing file, an invalid manifest, an input/output name the model lacks, a non-float32 input,
   * a row width that differs from the layout, or an unloadable ONNX file.
   */
  static async load(path: string, options: LoadOptions = {}): Promise<OnnxAffordanceModel> {
    const { manifest, manifestPath, modelPath } = readManifest(path);
    if (!existsSync(modelPath)) {
      throw new SkillforgeError('E_NOT_FOUND', `the manifest ${manifestPath} points at ${modelPath}, which does not exist`, {
        hint: "fix the manifest's \"model\" field (relative to the manifest's folder)",
      });
    }
    const encoder = new FeatureEncoder(manifest.features, options.embedder);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelPath, { ...DEFAULT_SESSION_OPTIONS, ...options.sessionOptions });
    } catch (err) {
      throw new SkillforgeError('E_ONNX_LOAD', `onnxruntime cannot load ${modelPath}: ${(err as Error).message}`, {
        hint: 'is it an ONNX file? onnxruntime-node 1.30 supports opsets up to 21+; re-export with a standard opset',
        cause: err,
      });
    }
    try {
      OnnxAffordanceModel.check(session, manifest);
    } catch (err) {
      await session.release();
      throw err;
    }
    return new OnnxAffordanceModel(session, manifest, encoder, modelPath);
  }

  /**
   * A model from ONNX bytes and a manifest object (no files), e.g. straight after training:
   * `OnnxAffordanceModel.fromBytes(toOnnxBytes(result.params), manifestFor(result))`. Same checks as `load`.
   */
  static async fromBytes(bytes: Uint8Array, manifest: AffordanceManifest, options: LoadOptions = {}): Promise<OnnxAffordanceModel> {
    const checked = validateManifestObject(manifest);
    const encoder = new FeatureEncoder(checked.features, options.embedder);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, { ...DEFAULT_SESSION_OPTIONS, ...options.sessionOptions });
    } catch (err) {
      throw new SkillforgeError('E_ONNX_LOAD', `onnxruntime cannot load the model bytes: ${(err as Error).message}`, { cause: err });
    }
    try {
      OnnxAffordanceModel.check(session, checked);
    } catch (err) {
      await session.release();
      throw err;
    }
    return new OnnxAffordanceModel(session, checked, encoder, `memory:${checked.model}`);
  }

  private static check(session: ort.InferenceSession, m: AffordanceManifest): void {
    if (m.input.representation === 'factored') OnnxAffordanceModel.checkFactored(session, m);
    else OnnxAffordanceModel.checkDense(session, m);
    OnnxAffordanceModel.checkOutput(session, m);
  }

  private static checkFactored(session: ort.InferenceSession, m: AffordanceManifest): void {
    const want = Object.values(FACTORED_INPUTS);
    const missing = want.filter((n) => !session.inputNames.includes(n));
    if (missing.length || session.inputNames.length !== want.length) {
      throw mismatch(
        `the manifest declares factored inputs (${want.join(', ')}), the model takes: ${session.inputNames.join(', ')}`,
        session.inputNames.length === 1
          ? `a single-input model takes dense rows: set "input": { "name": "${session.inputNames[0]}", "representation": "dense", ... }`
          : 're-export the model with `skillforge affordance train`',
      );
    }
    const blocks = rowBlocks(m.features);
    const widths: Record<string, number> = { [FACTORED_INPUTS.obs]: blocks.obs, [FACTORED_INPUTS.call]: blocks.call, [FACTORED_INPUTS.bound]: blocks.bound };
    for (const meta of session.inputMetadata) {
      if (!meta.isTensor) continue;
      const isIndex = meta.name === FACTORED_INPUTS.obsIndex || meta.name === FACTORED_INPUTS.callIndex;
      const type = isIndex ? 'int64' : 'float32';
      if (meta.type !== type) throw mismatch(`input '${meta.name}' has element type ${meta.type}; expected ${type}`, 're-export the model with `skillforge affordance train`');
      const width = meta.shape[1];
      if (!isIndex && typeof width === 'number' && width >= 0 && width !== widths[meta.name]) {
        throw mismatch(
          `input '${meta.name}' takes ${width} columns, but the manifest's feature layout has ${widths[meta.name]}`,
          'the model was trained on another feature layout: fix the manifest or retrain',
        );
      }
    }
  }

  private static checkDense(session: ort.InferenceSession, m: AffordanceManifest): void {
    const { input } = m;
    if (!session.inputNames.includes(input.name)) {
      throw mismatch(
        `the model has no input '${input.name}' (its inputs: ${session.inputNames.join(', ')})`,
        `set "input.name" in the manifest to one of: ${session.inputNames.join(', ')}`,
      );
    }
    if (session.inputNames.length > 1) {
      throw mismatch(
        `the model takes ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); affordance models take one feature matrix`,
        'export the model with a single [N, dim] float32 input',
      );
    }
    const meta = session.inputMetadata.find((v) => v.name === input.name);
    if (meta && meta.isTensor) {
      if (meta.type !== 'float32') {
        throw mismatch(`input '${input.name}' has element type ${meta.type}; affordance rows are float32`, 'export the model with a float32 input');
      }
      const shape = meta.shape;
      if (shape.length && shape.length !== 2) {
        throw mismatch(`input '${input.name}' has shape [${shape.join(', ')}]; expected [N, ${input.dim}]`, 'the input must be a 2-D [batch, features] matrix');
      }
      if (shape.length === 2) {
        const [batch, width] = shape;
        if (typeof width === 'number' && width >= 0 && width !== input.dim) {
          throw mismatch(
            `input '${input.name}' takes rows of ${width} features, but the manifest's feature layout makes rows of ${input.dim}`,
            'the model was trained on another feature layout: fix the manifest or retrain',
          );
        }
        if (typeof batch === 'number' && batch > 0) {
          throw mismatch(
            `input '${input.name}' has a fixed batch size ${batch}; candidates are scored in one batch`,
            "export with a dynamic first dimension (PyTorch: dynamic_axes={'features': {0: 'N'}})",
          );
        }
      }
    }
  }

  private static checkOutput(session: ort.InferenceSession, m: AffordanceManifest): void {
    const { output } = m;
    if (!session.outputNames.includes(output.name)) {
      throw mismatch(
        `the model has no output '${output.name}' (its outputs: ${session.outputNames.join(', ')})`,
        `set "output.name" in the manifest to one of: ${session.outputNames.join(', ')}`,
      );
    }
    const outMeta = session.outputMetadata.find((v) => v.name === output.name);
    if (outMeta && outMeta.isTensor) {
      if (outMeta.type !== 'float32') {
        throw mismatch(`output '${output.name}' has element type ${outMeta.type}; expected float32`, 'cast the output to float32 in the exported graph');
      }
      const s = outMeta.shape;
      const last = s[s.length - 1];
      if (s.length > 2 || (s.length === 2 && typeof last === 'number' && last !== 1)) {
        throw mismatch(`output '${output.name}' has shape [${s.join(', ')}]; expected [N] or [N, 1]`, 'the model must return one success score per row');
      }
    }
  }

  /** Score prepared rows (n × dim, row-major) in one session.run (factored first if the model takes that). */
  async scoreRows(rows: Float32Array, n: number): Promise<Float32Array> {
    if (n === 0) return new Float32Array(0);
    const dim = this.manifest.input.dim;
    if (rows.length !== n * dim) throw new RangeError(`expected ${n * dim} values for ${n} rows, got ${rows.length}`);
    if (this.blocks) return this.scoreFactored(factorRows(rows, n, this.blocks));
    return this.run({ [this.manifest.input.name]: new ort.Tensor('float32', rows, [n, dim]) }, n);
  }

  /** Score factored rows (see net.ts) in one session.run; dense models get them re-expanded. */
  async scoreFactored(rows: FactoredRows): Promise<Float32Array> {
    const { n } = rows;
    if (n === 0) return new Float32Array(0);
    if (!this.blocks) return this.scoreRows(expandRows(rows, rowBlocks(this.manifest.features)), n);
    const b = this.blocks;
    const I = FACTORED_INPUTS;
    return this.run(
      {
        [I.obs]: new ort.Tensor('float32', rows.obs, [rows.m, b.obs]),
        [I.obsIndex]: new ort.Tensor('int64', rows.obsIndex, [n]),
        [I.call]: new ort.Tensor('float32', rows.call, [rows.c, b.call]),
        [I.callIndex]: new ort.Tensor('int64', rows.callIndex, [n]),
        [I.bound]: new ort.Tensor('float32', rows.bound, [n, b.bound]),
      },
      n,
    );
  }

  private async run(feeds: Record<string, ort.Tensor>, n: number): Promise<Float32Array> {
    const out = await this.session.run(feeds, [this.manifest.output.name]);
    const t = out[this.manifest.output.name] as ort.Tensor;
    const data = t.data as Float32Array;
    if (data.length !== n) {
      throw mismatch(`the model returned ${data.length} values for ${n} rows`, 'the model must return one success score per row');
    }
    if (!this.outputIsLogit) return data;
    const p = new Float32Array(n);
    for (let i = 0; i < n; i++) p[i] = 1 / (1 + Math.exp(-data[i]!));
    return p;
  }

  /** Encoder output scored once per distinct (observation, call) pair. */
  private async scoreEncoded(rows: FactoredRows): Promise<Float32Array> {
    const pairs = distinctPairs(rows, this.blocks!);
    return pairs ? spreadPairs(await this.scoreFactored(pairs.rows), pairs.rowPair) : this.scoreFactored(rows);
  }

  /** P(success) for each call in the current observation: one batched onnxruntime run. */
  async score(observation: Observation, calls: readonly SkillCall[]): Promise<Float32Array> {
    if (this.blocks) return this.scoreEncoded(await this.encoder.encodeFactored(observation, calls));
    const rows = await this.encoder.encode(observation, calls);
    return this.scoreRows(rows, calls.length);
  }

  /** P(success) for (features[i], calls[i]) pairs, e.g. attempts from episodic memory. */
  async scorePairs(features: readonly Float32Array[], calls: readonly SkillCall[]): Promise<Float32Array> {
    if (this.blocks) return this.scoreEncoded(await this.encoder.encodePairsFactored(features, calls));
    const rows = await this.encoder.encodePairs(features, calls);
    return this.scoreRows(rows, calls.length);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

type Trained = Pick<TrainResult, 'params' | 'layout'> &
  Partial<Pick<TrainResult, 'metrics' | 'split' | 'epochs' | 'bestEpoch' | 'calibration' | 'trainMs' | 'baseRate'>>;

/** Dense rows (n × dim) from factored ones, for models that take dense rows. */
export function expandRows(rows: FactoredRows, blocks: RowBlocks): Float32Array {
  const d = blocks.obs + blocks.call + blocks.bound;
  const out = new Float32Array(rows.n * d);
  for (let r = 0; r < rows.n; r++) {
    const o = Number(rows.obsIndex[r]!) * blocks.obs;
    const c = Number(rows.callIndex[r]!) * blocks.call;
    out.set(rows.obs.subarray(o, o + blocks.obs), r * d);
    out.set(rows.call.subarray(c, c + blocks.call), r * d + blocks.obs);
    out.set(rows.bound.subarray(r * blocks.bound, (r + 1) * blocks.bound), r * d + blocks.obs + blocks.call);
  }
  return out;
}

/**
 * The manifest of a model trained by `trainAffordance` (model file name `modelFile`). The
 * representation must match the bytes: `toFactoredOnnxBytes` (default) or `toOnnxBytes` ('dense').
 */
export function manifestFor(
  result: Trained,
  modelFile = 'model.onnx',
  training: Record<string, unknown> = {},
  representation: 'dense' | 'factored' = 'factored',
): AffordanceManifest {
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    model: modelFile,
    kind: result.params.kind,
    input: { name: INPUT_NAME, dtype: 'float32', dim: result.layout.dim, representation },
    output: { name: OUTPUT_NAME, kind: 'probability' },
    features: result.layout,
    createdAt: new Date().toISOString(),
    ...(result.metrics ? { metrics: { test: result.metrics.test, baseline: result.metrics.baseline, skillBaseline: result.metrics.skillBaseline, validation: result.metrics.validation } } : {}),
    training: {
      ...(result.split ? { split: result.split } : {}),
      ...(result.epochs !== undefined ? { epochs: result.epochs, bestEpoch: result.bestEpoch } : {}),
      ...(result.calibration !== undefined ? { calibration: result.calibration } : {}),
      ...(result.baseRate !== undefined ? { baseRate: result.baseRate } : {}),
      ...(result.params.kind === 'mlp' ? { hidden: result.params.layers.slice(0, -1).map((l) => l.outDim) } : {}),
      ...training,
    },
  };
}

/**
 * Write a trained model as `<path>.onnx` plus its manifest `<path>.json` (path may end in .onnx).
 * Returns both paths and the manifest.
 */
export function exportAffordanceModel(
  result: Trained,
  path: string,
  training: Record<string, unknown> = {},
): { onnxPath: string; manifestPath: string; manifest: AffordanceManifest } {
  const onnxPath = resolve(extname(path) === '.onnx' ? path : `${path}.onnx`);
  const manifestPath = manifestPathFor(onnxPath);
  const manifest = manifestFor(result, basename(onnxPath), training);
  mkdirSync(dirname(onnxPath), { recursive: true });
  const meta = { 'skillforge.kind': result.params.kind, 'skillforge.layout': result.layout.observation.layout, 'skillforge.input': 'factored' };
  writeFileSync(onnxPath, toFactoredOnnxBytes(result.params, rowBlocks(result.layout), meta));
  writeFileSync(manifestPath, `${JSON.stringify(manifest, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  return { onnxPath, manifestPath, manifest };
}
