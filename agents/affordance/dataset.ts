/**
 * Encoded training data for models trained outside skillforge (PyTorch, scikit-learn): the rows a
 * model will be fed at scoring time, their labels, and the FeatureLayout to put in the model's
 * manifest. Written as CSV (header = column names, then `label`, `episode`) plus `<name>.layout.json`.
 *
 * @example
 * ```ts
 * const ds = await encodeDataset(memory.trainingSet({ env: 'kitchen' }));
 * writeDatasetCsv(ds, 'kitchen-rows.csv');   // and kitchen-rows.layout.json
 * ```
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Embedder } from '../../skills/embedder.js';
import { FeatureEncoder, columnNames, designLayout, type FeatureLayout } from './features.js';
import type { TrainingData } from './train.js';

export interface EncodedDataset {
  layout: FeatureLayout;
  /** n × layout.dim, row-major. */
  rows: Float32Array;
  labels: Uint8Array;
  episodes: (string | null)[];
  n: number;
}

export interface DatasetOptions {
  embedder?: Embedder;
  skillBuckets?: number;
  argBuckets?: number;
  maxBindings?: number;
  /** Use this layout instead of designing one (e.g. to encode new data for an existing model). */
  layout?: FeatureLayout;
}

/** Design a layout from the data (unless given) and encode every attempt as a row. */
export async function encodeDataset(data: TrainingData, options: DatasetOptions = {}): Promise<EncodedDataset> {
  const layout =
    options.layout ??
    designLayout({
      observationLayout: data.layout,
      observationNames: data.featureNames,
      calls: data.calls,
      embedder: options.embedder,
      skillBuckets: options.skillBuckets,
      argBuckets: options.argBuckets,
      maxBindings: options.maxBindings,
    });
  const encoder = new FeatureEncoder(layout, options.embedder);
  const rows = await encoder.encodePairs(data.features, data.calls);
  const n = data.features.length;
  return {
    layout,
    rows,
    labels: Uint8Array.from({ length: n }, (_, i) => (data.labels[i] ? 1 : 0)),
    episodes: data.episodes ? [...data.episodes] : Array.from({ length: n }, () => null),
    n,
  };
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Write `<path>` (CSV) and `<path without .csv>.layout.json`; returns both paths. */
export function writeDatasetCsv(ds: EncodedDataset, path: string): { csvPath: string; layoutPath: string } {
  mkdirSync(dirname(path), { recursive: true });
  const d = ds.layout.dim;
  const lines = [[...columnNames(ds.layout), 'label', 'episode'].map(csvField).join(',')];
  for (let r = 0; r < ds.n; r++) {
    const cells: string[] = [];
    for (let c = 0; c < d; c++) cells.push(String(ds.rows[r * d + c]));
    cells.push(String(ds.labels[r]), csvField(ds.episodes[r] ?? ''));
    lines.push(cells.join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  const layoutPath = join(dirname(path), `${basename(path, extname(path))}.layout.json`);
  writeFileSync(layoutPath, `${JSON.stringify(ds.layout, null, 2)}\n`);
  return { csvPath: path, layoutPath };
}
