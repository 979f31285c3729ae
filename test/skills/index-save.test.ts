/**
 * A failed index save (disk full) leaves no temp files and no short graph file behind, and the index
 * saved before it still loads: the save is atomic in what it leaves on disk, not only in what the
 * meta points at.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashedEmbedder } from '../../skills/hashed-embedder.js';
import { DEFAULT_HNSW, indexIo, loadIndex, ShardedIndex } from '../../skills/hnsw-index.js';

const embedder = new HashedEmbedder();

async function indexOf(texts: string[], env = 'minecraft'): Promise<ShardedIndex> {
  const idx = new ShardedIndex(embedder.dim, { ...DEFAULT_HNSW });
  const vecs = await embedder.embed(texts);
  vecs.forEach((v, i) => idx.add(i + 1, v, env));
  return idx;
}

describe('skills/hnsw-index: a save that fails on a full disk', () => {
  let dir: string;
  const real = { ...indexIo };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sf-idx-save-'));
  });
  afterEach(() => {
    Object.assign(indexIo, real);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a graph write cut short (hnswlib reports nothing) fails with a clear error and removes its temp file', async () => {
    const old = await indexOf(['mine an oak log', 'craft a crafting table']);
    await old.save(dir, { embedder: embedder.id, seq: 2 });
    const before = readdirSync(dir).sort();
    // What hnswlib does on ENOSPC: the ofstream fails silently and leaves a 0-byte file.
    indexIo.writeGraph = (_graph, file) => writeFileSync(file, '');
    const next = await indexOf(['mine an oak log', 'craft a crafting table', 'smelt iron ore']);
    await assert.rejects(next.save(dir, { embedder: embedder.id, seq: 3 }), /stopped at 0 of at least \d+ bytes \(disk full\?\)/);
    assert.deepEqual(readdirSync(dir).sort(), before, 'no temp file, no 0-byte graph');
    Object.assign(indexIo, real);
    const loaded = await loadIndex(dir, { embedder: embedder.id, dim: embedder.dim, params: DEFAULT_HNSW });
    assert.ok(loaded.ok && loaded.meta.seq === 2, 'the previous index still loads');
  });

  it('a meta write that fails (ENOSPC) removes index.json.tmp-* and the graphs it wrote', async () => {
    const old = await indexOf(['wipe the table'], 'kitchen');
    await old.save(dir, { embedder: embedder.id, seq: 1 });
    const before = readdirSync(dir).sort();
    indexIo.writeFile = (file, text) => {
      writeFileSync(file, text.slice(0, 10));
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC' });
    };
    const next = await indexOf(['wipe the table', 'boil water in a pot'], 'kitchen');
    await assert.rejects(next.save(dir, { embedder: embedder.id, seq: 2 }), /ENOSPC/);
    assert.deepEqual(readdirSync(dir).sort(), before);
    for (const f of before) assert.ok(statSync(join(dir, f)).size > 0);
  });

  it('a failed save keeps a graph file the current meta points at (same content, same name)', async () => {
    const idx = await indexOf(['patrol the corridor'], 'ros2');
    await idx.save(dir, { embedder: embedder.id, seq: 1 });
    const before = readdirSync(dir).sort();
    indexIo.writeFile = () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    await assert.rejects(idx.save(dir, { embedder: embedder.id, seq: 2 }), /ENOSPC/);
    assert.deepEqual(readdirSync(dir).sort(), before);
    Object.assign(indexIo, real);
    const loaded = await loadIndex(dir, { embedder: embedder.id, dim: embedder.dim, params: DEFAULT_HNSW });
    assert.ok(loaded.ok);
  });
});
