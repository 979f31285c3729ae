import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VOYAGER = join(root, 'test', 'skills', 'fixtures', 'voyager');

describe('skillforge skills (CLI)', function () {
  this.timeout(60_000);
  let dataDir: string;
  before(() => (dataDir = mkdtempSync(join(tmpdir(), 'sf-cli-'))));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  function run(...args: string[]) {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'skillforge.js'), '--data-dir', dataDir, 'skills', ...args], { encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('imports a Voyager folder, lists, searches and exports as JSON', () => {
    const imp = run('import', VOYAGER, '--json');
    assert.equal(imp.code, 2, 'a rejected entry makes the exit code 2');
    assert.equal(JSON.parse(imp.stdout).added.length, 4);
    const list = JSON.parse(run('list', '--json').stdout) as { name: string }[];
    assert.deepEqual(list.map((s) => s.name), ['craftIronPickaxe', 'craftWoodenPlanks', 'mineWoodLog']);
    const hits = JSON.parse(run('search', 'oak', 'planks', '-k', '1', '--json').stdout) as { skill: { name: string } }[];
    assert.equal(hits[0]?.skill.name, 'craftWoodenPlanks');
    const text = JSON.parse(run('search', 'iron', 'pick', '--mode', 'text', '-k', '1', '--json').stdout) as { skill: { name: string } }[];
    assert.equal(text[0]?.skill.name, 'craftIronPickaxe', '"pick" is a WordNet synonym of pickaxe');
    const badMode = run('search', 'oak', '--mode', 'fuzzy');
    assert.equal(badMode.code, 1);
    assert.match(badMode.stderr, /unknown --mode fuzzy/);
    const exp = run('export', join(dataDir, 'b.json'), '--all-versions');
    assert.equal(exp.code, 0);
    assert.match(exp.stdout, /exported 4 skill version/);
  });

  it('adds JSON input and reports bad input clearly, writing nothing', () => {
    const good = join(dataDir, 'good.json');
    writeFileSync(good, JSON.stringify({ name: 'wipeTable', env: 'kitchen', description: 'Wipe the table', code: 'async function wipeTable(r) {}' }));
    assert.match(run('add', good).stdout, /added wipeTable v1/);
    const bad = join(dataDir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ name: 'okOne', env: 'kitchen', description: 'x', code: 'async function okOne() {}' }, { name: 'bad-name', env: 'kitchen', description: 'x', code: '' }]));
    const r = run('add', bad);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid skill #1 \(bad-name\): \/name must match pattern/);
    const stats = JSON.parse(run('stats', '--json').stdout) as { names: number; index: { count: number } };
    assert.equal(stats.names, 4);
    assert.equal(stats.index.count, 4);
  });
});
