/**
 * The search breadth (HNSW ef) is measured, not guessed: each environment's graph gets the smallest
 * ef that reaches the target recall against an exact scan, on open and after reindex, and keeps it
 * in the index meta so the next open does not measure again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEnvQueries, generateSkills } from '../../bench/skill-corpus.js';
import { HashedEmbedder } from '../../skills/hashed-embedder.js';
import { SkillLibrary } from '../../skills/library.js';

describe('skills/library: ef calibrated to the data', function () {
  this.timeout(120_000);
  let dir: string;
  const quiet = { warn: () => undefined };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-calib-'));
    const lib = await SkillLibrary.open(dir, { logger: quiet });
    const skills = generateSkills(6000);
    for (let i = 0; i < skills.length; i += 1000) await lib.addMany(skills.slice(i, i + 1000));
    await lib.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('each env graph gets its own ef, reaching the target on queries it was not calibrated on', async () => {
    const lines: string[] = [];
    const lib = await SkillLibrary.open(dir, { logger: { ...quiet, info: (m) => lines.push(m) } });
    try {
      const cal = lib.indexInfo().calibration;
      assert.deepEqual(Object.keys(cal).sort(), ['kitchen', 'minecraft', 'ros2']);
      for (const c of Object.values(cal)) {
        assert.ok(c && c.recall >= 0.99 && c.target === 0.99 && c.count === 2000, JSON.stringify(c));
        assert.ok(c.ef < 128, `ef ${c.ef} is below the old fixed 128`);
      }
      // Held-out check: agent-style text queries, exact top 5 by brute force over the stored vectors.
      const embedder = new HashedEmbedder();
      const heads = await lib.store.heads();
      const vecs = await lib.store.vectors(embedder.id, heads.map((h) => h.id));
      const queries = generateEnvQueries(200, 99);
      let hits = 0;
      let total = 0;
      for (const q of queries) {
        const [v] = await embedder.embed([q.text]);
        const exact = heads
          .filter((h) => h.env === q.env)
          .map((h) => { let s = 0; const x = vecs.get(h.id)!; for (let j = 0; j < x.length; j++) s += x[j]! * v![j]!; return s; })
          .sort((a, b) => b - a);
        const kth = exact[4]!;
        const got = lib.searchVector(v!, 5, { env: q.env });
        for (const g of got) if (g.score >= kth - 1e-5) hits++;
        total += 5;
      }
      assert.ok(hits / total >= 0.98, `held-out recall@5 ${hits / total}`);
    } finally {
      await lib.close();
    }
  });

  it('is kept in the index meta: a reopen does not measure again; reindex and a new target do', async () => {
    const meta = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { shards: { env: string; calibration?: { ef: number } }[] };
    assert.ok(meta.shards.every((s) => s.calibration && s.calibration.ef > 0), 'saved with the graphs');
    const lines: string[] = [];
    const lib = await SkillLibrary.open(dir, { logger: { ...quiet, info: (m) => lines.push(m) } });
    try {
      assert.ok(!lines.some((l) => l.includes('ef calibrated')), lines.join('\n'));
      const before = lib.indexInfo().calibration.minecraft!.ef;
      lib.setTargetRecall(0.999);
      const strict = lib.indexInfo().calibration.minecraft!;
      assert.ok(strict.ef >= before && strict.target === 0.999);
      lib.setEfSearch(40);
      assert.equal(lib.indexInfo().calibration.minecraft, undefined, 'a fixed ef turns calibration off');
      lines.length = 0;
      await lib.reindex();
      assert.equal(lib.indexInfo().calibration.minecraft, undefined);
      await assert.rejects(SkillLibrary.open(dir, { logger: quiet, hnsw: { targetRecall: 1.5 } }), /targetRecall must be in \(0, 1\]/);
    } finally {
      await lib.close();
    }
  });
});
