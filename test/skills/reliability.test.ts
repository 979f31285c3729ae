import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { META_FILE, type IndexMeta } from '../../skills/hnsw-index.js';
import { SkillLibrary } from '../../skills/library.js';
import { validateSkillShape } from '../../skills/skill.js';
import { parseSkillCode } from '../../skills/code.js';
import { collectingLogger } from './helpers.js';

const WRITER = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'writer.ts');

function startWriter(dir: string, prefix: string, count: number, shared = false): { child: ChildProcess; lines: string[]; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, prefix, String(count), ...(shared ? ['shared'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`writer ${prefix} failed:\n${err}\n`);
      resolve(code);
    }),
  );
  return { child, lines, done };
}

/** Every row is a complete, valid skill whose code parses. */
async function assertAllIntact(lib: SkillLibrary): Promise<void> {
  for (const s of await lib.list({ allVersions: true })) {
    validateSkillShape(s);
    parseSkillCode(s.code, s.name);
  }
}

describe('skills/library reliability', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'sf-rel-'));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('kill -9 while adding: every add that returned is there, nothing partial', async () => {
    const dir = tmp();
    const w = startWriter(dir, 'killed', 100_000);
    // Wait until a good number of adds have committed, then kill without warning.
    const t0 = Date.now();
    while (w.lines.length < 150 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 10));
    w.child.kill('SIGKILL');
    await w.done;
    const returned = w.lines.filter((l) => l.startsWith('added ')).map((l) => l.split(' ')[1]!);
    assert.ok(returned.length >= 150, `writer only added ${returned.length}`);
    const log = collectingLogger();
    const lib = await SkillLibrary.open(dir, { logger: log });
    try {
      for (const name of returned) assert.ok(await lib.get(name), `${name} was acknowledged but is missing`);
      await assertAllIntact(lib);
      const n = await lib.count();
      assert.ok(n >= returned.length && n <= returned.length + 1, `count ${n} vs ${returned.length} acknowledged`);
      // The index (never saved by the killed writer) is built from the store and finds the last one.
      const last = returned[returned.length - 1]!;
      const hits = await lib.search(`Collect ${last.slice(6)} blocks of killed stone near the river (writer killed, step ${last.slice(6)})`, 3);
      assert.ok(hits.some((h) => h.skill.name === last));
      assert.equal(lib.indexInfo().count, n);
    } finally {
      await lib.close();
    }
  });

  it('two processes adding at once: no lost skill, versions of a shared name never collide, index intact', async () => {
    const dir = tmp();
    const a = startWriter(dir, 'alpha', 60, true);
    const b = startWriter(dir, 'beta', 60, true);
    assert.deepEqual(await Promise.all([a.done, b.done]), [0, 0]);
    const log = collectingLogger();
    const lib = await SkillLibrary.open(dir, { logger: log });
    try {
      assert.deepEqual(log.warnings, [], 'the index both writers saved opens cleanly');
      for (const p of ['alpha', 'beta']) for (let i = 0; i < 60; i++) assert.ok(await lib.get(`${p}${i}`), `${p}${i} lost`);
      const shared = await lib.versions('sharedSkill');
      assert.equal(shared.length, 24);
      assert.deepEqual(shared.map((s) => s.version), Array.from({ length: 24 }, (_, i) => i + 1));
      const acked = [...a.lines, ...b.lines].filter((l) => l.startsWith('added sharedSkill')).map((l) => Number(l.split(' v')[1]));
      assert.deepEqual(acked.sort((x, y) => x - y), shared.map((s) => s.version));
      await assertAllIntact(lib);
      assert.equal(lib.indexInfo().count, 121);
      const hits = await lib.search('Collect 33 blocks of beta stone near the river (writer beta, step 33)', 1);
      assert.equal(hits[0]?.skill.name, 'beta33');
    } finally {
      await lib.close();
    }
  });

  it('kill -9 while the index is being saved: the saved index is always whole (no rebuild needed)', async () => {
    const dir = tmp();
    const child = spawn(process.execPath, ['--import', 'tsx', join(dirname(WRITER), 'saver.ts'), dir, '100000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let saves = 0;
    child.stdout!.on('data', (d: Buffer) => (saves += (d.toString().match(/saved/g) ?? []).length));
    const exited = new Promise((r) => child.on('exit', r));
    const t0 = Date.now();
    while (saves < 40 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 5));
    // Land somewhere inside the next add + save.
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 20)));
    child.kill('SIGKILL');
    await exited;
    const log = collectingLogger();
    const lib = await SkillLibrary.open(dir, { logger: log });
    try {
      assert.deepEqual(log.warnings, []);
      const n = await lib.count();
      assert.ok(n >= 40, `only ${n} skills`);
      assert.equal(lib.indexInfo().count, n);
      assert.equal((await lib.search('Skill 17 added between two index saves', 1, { env: 'kitchen' }))[0]?.skill.name, 'saved17');
    } finally {
      await lib.close();
    }
  });

  describe('a damaged index is detected, rebuilt and warned about', () => {
    let dir: string;
    beforeEach(async () => {
      dir = tmp();
      const lib = await SkillLibrary.open(dir, { logger: collectingLogger() });
      const inputs = Array.from({ length: 300 }, (_, i) => ({
        name: `skill${i}`,
        env: i % 2 ? 'kitchen' : 'minecraft',
        description: `Skill number ${i}: ${i % 3 ? 'stack the plates' : 'mine the diamonds'} ${i}`,
        code: `async function skill${i}(x) { return ${i}; }`,
      }));
      await lib.addMany(inputs);
      await lib.close();
    });
    const meta = () => (JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as IndexMeta).shards[1]!;

    async function reopenExpectingRebuild(re: RegExp): Promise<void> {
      const log = collectingLogger();
      const lib = await SkillLibrary.open(dir, { logger: log });
      try {
        assert.equal(log.warnings.length, 1, log.warnings.join('\n'));
        assert.match(log.warnings[0]!, re);
        assert.equal(lib.indexInfo().count, 300);
        assert.equal((await lib.search('Skill number 123: mine the diamonds 123', 1))[0]?.skill.name, 'skill123');
      } finally {
        await lib.close();
      }
      const again = collectingLogger();
      const lib2 = await SkillLibrary.open(dir, { logger: again });
      await lib2.close();
      assert.deepEqual(again.warnings, [], 'the rebuilt index was saved');
    }

    it('deleted graph file', async () => {
      unlinkSync(join(dir, meta().file));
      await reopenExpectingRebuild(/index file .* is missing/);
    });
    it('truncated graph file', async () => {
      const m = meta();
      truncateSync(join(dir, m.file), Math.floor(m.bytes / 2));
      await reopenExpectingRebuild(/truncated/);
    });
    it('garbage of the right size', async () => {
      const m = meta();
      writeFileSync(join(dir, m.file), Buffer.alloc(m.bytes, 0x5a));
      await reopenExpectingRebuild(/fails its checksum/);
    });
    it('garbage meta', async () => {
      writeFileSync(join(dir, META_FILE), '{"format": 1, "emb');
      await reopenExpectingRebuild(/index meta .* is unreadable/);
    });
    it('deleted meta', async () => {
      unlinkSync(join(dir, META_FILE));
      await reopenExpectingRebuild(/no index yet/);
    });
  });
});
