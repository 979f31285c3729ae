/**
 * The JSON manifest that sits beside every affordance .onnx file (`kitchen.onnx` + `kitchen.json`).
 * It declares what the model eats and returns: the feature layout (see features.ts), the input
 * name/type/width, the output name and whether it is a probability or a logit, plus the model
 * kind and training metrics. Models trained elsewhere (PyTorch, sklearn via skl2onnx) load through
 * the same manifest: write one with kind 'external' and the layout your rows follow.
 *
 * @example
 * ```json
 * { "format": "skillforge-affordance-model", "version": 1, "model": "kitchen.onnx", "kind": "external",
 *   "input": { "name": "features", "dtype": "float32", "dim": 170 },
 *   "output": { "name": "logits", "kind": "logit" },
 *   "features": { "encoding": "skillforge-affordance-features", "version": 1, ... } }
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { SkillforgeError } from '../../core/errors.js';
import type { JsonSchema } from '../../core/types.js';
import { validator } from '../../core/validate.js';
import { checkLayout, type FeatureLayout } from './features.js';
import type { Metrics } from './metrics.js';

export const MANIFEST_FORMAT = 'skillforge-affordance-model';
/**
 * 2: adds `input.representation`. Version 1 manifests (one dense float32 [N, dim] input) still load
 * as `dense`; `factored` (five inputs, see net.ts `FactoredRows`) needs version 2.
 */
export const MANIFEST_VERSION = 2;
export const MANIFEST_VERSIONS = [1, 2] as const;

export type InputRepresentation = 'dense' | 'factored';

export interface AffordanceManifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  /** The .onnx file, relative to the manifest's folder (or absolute). */
  model: string;
  kind: 'logreg' | 'mlp' | 'external';
  /**
   * `dense`: one float32 input `name` of rows [N, dim]. `factored`: the inputs of net.ts
   * `FACTORED_INPUTS` (distinct observations and calls indexed per row, plus the bound block).
   */
  input: { name: string; dtype: 'float32'; dim: number; representation?: InputRepresentation };
  output: { name: string; kind: 'probability' | 'logit' };
  features: FeatureLayout;
  createdAt?: string;
  metrics?: { test?: Metrics; baseline?: Metrics; skillBaseline?: Metrics; validation?: Metrics };
  training?: Record<string, unknown>;
}

const layoutSchema: JsonSchema = {
  type: 'object',
  required: ['encoding', 'version', 'observation', 'skill', 'args', 'bindings', 'dim'],
  properties: {
    encoding: { type: 'string' },
    version: { type: 'integer' },
    observation: {
      type: 'object',
      required: ['layout', 'names'],
      properties: { layout: { type: 'string' }, names: { type: 'array', items: { type: 'string' } } },
    },
    skill: {
      type: 'object',
      required: ['kind', 'dim'],
      properties: { kind: { enum: ['embedder', 'hashed'] }, id: { type: 'string' }, dim: { type: 'integer', minimum: 0 } },
      if: { properties: { kind: { const: 'embedder' } } },
      then: { required: ['id'] },
    },
    args: { type: 'object', required: ['buckets'], properties: { buckets: { type: 'integer', minimum: 0 } } },
    bindings: { type: 'array', items: { type: 'string' } },
    skillBindings: {
      type: 'array',
      items: { type: 'object', required: ['skill', 'template'], properties: { skill: { type: 'string' }, template: { type: 'string' } } },
    },
    dim: { type: 'integer', minimum: 1 },
  },
};

const manifestSchema: JsonSchema = {
  type: 'object',
  required: ['format', 'version', 'model', 'kind', 'input', 'output', 'features'],
  properties: {
    format: { const: MANIFEST_FORMAT },
    version: { enum: [...MANIFEST_VERSIONS] },
    model: { type: 'string', minLength: 1 },
    kind: { enum: ['logreg', 'mlp', 'external'] },
    input: {
      type: 'object',
      required: ['name', 'dim'],
      properties: {
        name: { type: 'string', minLength: 1 },
        dtype: { const: 'float32', default: 'float32' },
        dim: { type: 'integer', minimum: 1 },
        representation: { enum: ['dense', 'factored'], default: 'dense' },
      },
    },
    output: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1 }, kind: { enum: ['probability', 'logit'], default: 'probability' } },
    },
    features: layoutSchema,
    createdAt: { type: 'string' },
    metrics: { type: 'object' },
    training: { type: 'object' },
  },
};

const validateManifest = validator<AffordanceManifest>(
  manifestSchema,
  'affordance model manifest',
  'see agents/affordance/manifest.ts for the fields (docs/affordance.md has an example)',
);

/** Validate a manifest object (filling defaults) and check its layout and input width. */
export function validateManifestObject(raw: unknown): AffordanceManifest {
  const v = (raw as { version?: unknown } | null)?.version;
  if (typeof v === 'number' && v > MANIFEST_VERSION) {
    throw new SkillforgeError('E_MANIFEST_MISMATCH', `manifest version ${v} is newer than this skillforge reads (${MANIFEST_VERSIONS.join(', ')})`, {
      hint: 'upgrade skillforge, or re-export the model with this version',
    });
  }
  const manifest = validateManifest(structuredClone(raw));
  if (manifest.input.representation === 'factored' && manifest.version < 2) {
    throw new SkillforgeError('E_MANIFEST_MISMATCH', `manifest version ${manifest.version} has no factored input representation`, {
      hint: `factored inputs need "version": ${MANIFEST_VERSION}; re-export with \`skillforge affordance train\``,
    });
  }
  checkLayout(manifest.features);
  if (manifest.input.dim !== manifest.features.dim) {
    throw new SkillforgeError(
      'E_MANIFEST_MISMATCH',
      `manifest input.dim is ${manifest.input.dim} but its feature layout produces rows of ${manifest.features.dim}`,
      { hint: 'input.dim must equal features.dim' },
    );
  }
  return manifest;
}

/** `x.onnx` -> `x.json`; `x.json` stays. */
export function manifestPathFor(path: string): string {
  return extname(path) === '.json' ? path : join(dirname(path), `${basename(path, extname(path))}.json`);
}

/** Read, parse and validate a manifest; resolves `model` to an absolute path. */
export function readManifest(path: string): { manifest: AffordanceManifest; manifestPath: string; modelPath: string } {
  const manifestPath = resolve(manifestPathFor(path));
  // Name the file the user gave: a missing model.onnx is not a missing model.json.
  if (extname(path) === '.onnx' && !existsSync(path) && !existsSync(manifestPath)) {
    throw new SkillforgeError('E_NOT_FOUND', `no affordance model at ${resolve(path)}`, {
      hint: 'train one with `skillforge affordance train --env kitchen` (it prints the path it wrote), or check the path',
    });
  }
  if (!existsSync(manifestPath)) {
    throw new SkillforgeError('E_NOT_FOUND', `no affordance manifest at ${manifestPath}`, {
      hint: existsSync(path) && extname(path) === '.onnx'
        ? `an ONNX model needs a JSON manifest beside it (${basename(manifestPath)}) declaring its input, output and feature layout; see docs/affordance.md`
        : 'train one with `skillforge affordance train --env kitchen`, or check the path',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    throw new SkillforgeError('E_INVALID', `${manifestPath} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const manifest = validateManifestObject(raw);
  const modelPath = resolve(dirname(manifestPath), manifest.model);
  return { manifest, manifestPath, modelPath };
}
