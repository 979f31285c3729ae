import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../../core/validate.js';
import type { Embedder } from '../../skills/embedder.js';
import { HashedEmbedder, tokenize } from '../../skills/hashed-embedder.js';
import { SkillLibrary } from '../../skills/library.js';
import type { SkillChange } from '../../skills/store.js';
import { collectingLogger } from './helpers.js';

const SKILLS = [
  { name: 'mineWoodLog', env: 'minecraft', description: 'Punch a tree to collect one oak log', code: 'async function mineWoodLog(bot) { await mineBlock(bot, "oak_log", 1); }' },
  { name: 'craftCraftingTable', env: 'minecraft', description: 'Craft a crafting table out of four planks', code: 'async function craftCraftingTable(bot) { await craftItem(bot, "crafting_table", 1); }' },
  { name: 'smeltIronOre', env: 'minecraft', description: 'Smelt raw iron in a furnace using coal as fuel', code: 'async function smeltIronOre(bot) { await smeltItem(bot, "raw_iron", "coal", 1); }' },
  { name: 'boilWater', env: 'kitchen', description: 'Fill a pot with water and boil it on the stove', code: 'async function boilWater(robot) { await robot.do("boil"); }' },
  { name: 'wipeTable', env: 'kitchen', description: 'Wipe the kitchen table clean with a sponge', code: 'async function wipeTable(robot) { await robot.do("wipe"); }' },
];

describe('skills/library: SkillLibrary', () => {
  let dir: string;
  let lib: SkillLibrary;
  let log: ReturnType<typeof collectingLogger>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-lib-'));
    log = collectingLogger();
    lib = await SkillLibrary.open(dir, { logger: log });
    await lib.addMany(SKILLS);
  });
  afterEach(async () => {
    await lib.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('versions: new name v1, new content v2 keeping v1, identical content adds nothing', async () => {
    const v1 = await lib.get('mineWoodLog');
    assert.equal(v1?.version, 1);
    assert.equal(v1?.provenance.parent, null);
    const r2 = await lib.add({ ...SKILLS[0]!, description: 'Punch a tree to collect oak logs until you have one' });
    assert.equal(r2.created, true);
    assert.equal(r2.skill.version, 2);
    assert.equal(r2.skill.provenance.parent, 1);
    const same = await lib.add({ ...SKILLS[0]!, description: 'Punch a tree to collect oak logs until you have one' });
    assert.equal(same.created, false);
    assert.equal(same.skill.version, 2);
    const again = await lib.add(SKILLS[0]!);
    assert.equal(again.created, false, 'content identical to an older version is not re-added');
    assert.deepEqual((await lib.versions('mineWoodLog')).map((s) => s.version), [1, 2]);
    assert.equal((await lib.get('mineWoodLog', 1))?.description, SKILLS[0]!.description);
    assert.equal(await lib.count(), 5);
    assert.equal(await lib.count({ allVersions: true }), 6);
  });

  it('search finds by meaning, latest version per name, filtered by env and status', async () => {
    const hits = await lib.search('chop down a tree for wood logs', 3);
    assert.equal(hits[0]?.skill.name, 'mineWoodLog');
    assert.ok(hits[0]!.score > hits[1]!.score);
    const kitchen = await lib.search('chop down a tree for wood logs', 5, { env: 'kitchen' });
    assert.deepEqual(kitchen.map((h) => h.skill.env), ['kitchen', 'kitchen']);
    await lib.add({ ...SKILLS[2]!, description: 'Smelt raw iron into ingots in a furnace, fuel it with coal' });
    const iron = await lib.search('furnace iron ingot', 5);
    assert.equal(iron.filter((h) => h.skill.name === 'smeltIronOre').length, 1);
    assert.equal(iron[0]?.skill.version, 2);
    await lib.deprecate('smeltIronOre');
    assert.ok(!(await lib.search('furnace iron ingot', 5)).some((h) => h.skill.name === 'smeltIronOre'));
    const dep = await lib.search('furnace iron ingot', 5, { status: 'deprecated' });
    assert.deepEqual(dep.map((h) => h.skill.name), ['smeltIronOre']);
    const byVector = await lib.search(await new HashedEmbedder().embed(['boil water pot']).then((v) => v[0]!), 1);
    assert.equal(byVector[0]?.skill.name, 'boilWater');
  });

  it('applies its own adds without reading the change feed back; another writer in between falls back to the feed', async () => {
    const k = (name: string, description: string) => ({ name, env: 'kitchen', description, code: `async function ${name}(robot) { await robot.do("wipe"); }` });
    const store = lib.store as unknown as { changesSince: (...a: unknown[]) => Promise<unknown>; seq: () => Promise<number> };
    const real = store.changesSince.bind(store);
    let reads = 0;
    store.changesSince = (...a: unknown[]) => {
      reads++;
      return real(...a);
    };
    await lib.add(k('wipeCounter', 'Wipe the counter'));
    await lib.addMany([k('boilMilk', 'Boil milk in a pot'), k('boilEggs', 'Boil two eggs')]);
    assert.equal(reads, 0);
    assert.equal((await lib.search('wipe the counter', 1, { mode: 'vector' }))[0]?.skill.name, 'wipeCounter');
    const other = await SkillLibrary.open(dir, { logger: log });
    await other.add(k('wipeStove', 'Wipe the stove top'));
    await other.close();
    await lib.add(k('wipeFridge', 'Wipe the fridge door'));
    assert.ok(reads > 0, 'a gap in the feed is read from the store');
    const names = (await lib.search('wipe the stove top', 3, { mode: 'vector' })).map((h) => h.skill.name);
    assert.ok(names.includes('wipeStove'), names.join());
    assert.equal(await lib.count(), 10);
  });

  it('records outcomes into stats', async () => {
    await lib.record('boilWater', { success: true, durationMs: 100 });
    await lib.record('boilWater', { success: false, durationMs: 300, error: 'pot missing' });
    const s = await lib.get('boilWater');
    assert.deepEqual(s?.stats, { attempts: 2, successes: 1, meanDurationMs: 200, lastError: 'pot missing' });
    await assert.rejects(lib.record('nope', { success: true, durationMs: 1 }), /no skill nope/);
    await assert.rejects(lib.record('boilWater', { success: 'yes', durationMs: -1 } as never), /invalid outcome: \/success must be boolean; \/durationMs must be >= 0/);
  });

  it('removes every version; list filters', async () => {
    await lib.add({ ...SKILLS[3]!, description: 'Boil water in a kettle' });
    assert.equal(await lib.remove('boilWater'), 2);
    assert.equal(await lib.get('boilWater'), undefined);
    assert.ok(!(await lib.search('boil water', 5)).some((h) => h.skill.name === 'boilWater'));
    assert.deepEqual((await lib.list({ env: 'kitchen' })).map((s) => s.name), ['wipeTable']);
    assert.deepEqual((await lib.list({ prefix: 'craft' })).map((s) => s.name), ['craftCraftingTable']);
  });

  it('subscribers see every change in order, including other processes\' (another library instance)', async () => {
    const seen: SkillChange[] = [];
    const other = await SkillLibrary.open(dir, { logger: log, pollMs: 20 });
    const unsubscribe = other.subscribe((c) => seen.push(c));
    await lib.add({ name: 'chopBirch', env: 'minecraft', description: 'Chop a birch tree', code: 'async function chopBirch(bot) {}' });
    await lib.record('chopBirch', { success: true, durationMs: 5 });
    const t0 = Date.now();
    while (seen.length < 2 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    unsubscribe();
    assert.deepEqual(seen.slice(-2).map((c) => [c.kind, c.name]), [['add', 'chopBirch'], ['stats', 'chopBirch']]);
    assert.ok(seen[seen.length - 1]!.seq > seen[seen.length - 2]!.seq);
    assert.equal((await other.search('birch tree', 1))[0]?.skill.name, 'chopBirch');
    await other.close();
  });

  it('bad input: clear error naming the field, nothing written', async () => {
    const before = await lib.store.seq();
    const cases: [unknown, RegExp][] = [
      [{ name: 'bad name', env: 'minecraft', description: 'd', code: 'async function x() {}' }, /\/name must match pattern/],
      [{ name: 'broken', env: 'minecraft', description: 'd', code: 'async function broken( {' }, /\/code does not parse at line 1/],
      [{ name: 'wrongName', env: 'minecraft', description: 'd', code: 'async function other() {}' }, /\/code does not define a top-level function named wrongName/],
      [{ name: 'big', env: 'minecraft', description: 'x'.repeat(100_000), code: 'async function big() {}' }, /\/description must NOT have more than 8000 characters/],
      [{ name: 'dupDeps', env: 'minecraft', description: 'd', code: 'async function dupDeps() {}', dependencies: ['a', 'a'] }, /\/dependencies must NOT have duplicate items/],
      [{ name: 'extra', env: 'minecraft', description: 'd', code: 'async function extra() {}', owner: 'me' }, /unknown property 'owner'/],
      [{ name: 'noEnv', description: 'd', code: 'async function noEnv() {}' }, /must have required property 'env'/],
    ];
    for (const [input, re] of cases) {
      await assert.rejects(lib.add(input as never), (e: unknown) => {
        assert.ok(e instanceof ValidationError, String(e));
        assert.match(e.message, re);
        return true;
      });
    }
    // One bad entry in a batch: nothing of the batch is written, and the error says which one.
    await assert.rejects(
      lib.addMany([
        { name: 'fine', env: 'minecraft', description: 'ok', code: 'async function fine() {}' },
        { name: 'notFine', env: 'minecraft', description: 'ok', code: 'function notFine() {}' },
      ]),
      /skill #1 \(notFine\).*not async/,
    );
    assert.equal(await lib.store.seq(), before);
    assert.equal(await lib.get('fine'), undefined);
    assert.equal(await lib.count(), 5);
  });

  it('reopens from the saved index without rebuilding; a new embedder re-indexes with a warning', async () => {
    await lib.close();
    const quiet = collectingLogger();
    lib = await SkillLibrary.open(dir, { logger: quiet });
    assert.deepEqual(quiet.warnings, []);
    assert.equal(lib.indexInfo().count, 5);
    await lib.close();
    const other = new HashedEmbedder({ dim: 64 });
    lib = await SkillLibrary.open(dir, { logger: quiet, embedder: other });
    assert.equal(quiet.warnings.length, 1);
    assert.match(quiet.warnings[0]!, /built by embedder hashed-v1:d128.*now uses hashed-v1:d64/);
    assert.equal(lib.indexInfo().embedder, other.id);
    assert.equal((await lib.search('boil water', 1))[0]?.skill.name, 'boilWater');
  });

  it('refuses an embedder that lies about its dimension', async () => {
    const liar: Embedder = { id: 'liar', dim: 8, embed: async (t) => t.map(() => new Float32Array(4)) };
    await lib.close();
    await assert.rejects(SkillLibrary.open(dir, { embedder: liar, logger: log }), /returned a 4-dimensional vector, it declares dim 8/);
    lib = await SkillLibrary.open(dir, { logger: log });
  });
});

describe('skills/hashed-embedder', () => {
  it('splits identifiers, drops stop words, strips plurals; vectors are unit length and deterministic', async () => {
    assert.deepEqual(tokenize('mineWoodLogs in the Forest'), ['mine', 'wood', 'log', 'forest']);
    const e = new HashedEmbedder();
    const [a, b, c] = await e.embed(['mine wood log', 'mineWoodLog', 'boil water']);
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    assert.ok(Math.abs(dot(a!, a!) - 1) < 1e-5);
    assert.ok(dot(a!, b!) > 0.99);
    assert.ok(dot(a!, c!) < 0.3);
    assert.deepEqual((await e.embed(['mine wood log']))[0], a);
  });
});
