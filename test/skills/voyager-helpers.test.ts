/**
 * Voyager import completeness: helper functions declared in one skill file and used by another are
 * carried as dependencies (Voyager evaluates every skill file in one scope), and names of items
 * the target world's Minecraft version does not know are warned about and kept in the record.
 * The fixture folder (fixtures/voyager-helpers) was written for this test in Voyager's style.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectProgram } from '../../agents/act/program.js';
import { MINECRAFT_VERSION } from '../../envs/minecraft/server/version.js';
import { parseProgram } from '../../skills/code.js';
import { writeBundle } from '../../skills/bundle.js';
import { freeIdentifiers, topLevelFunctions } from '../../skills/free-identifiers.js';
import { SkillLibrary } from '../../skills/library.js';
import { MinecraftVocabulary, minecraftNamesIn } from '../../skills/minecraft-names.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { importVoyager } from '../../skills/voyager-import.js';
import { runCli } from '../support/cli.js';
import { collectingLogger } from './helpers.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'voyager-helpers');
const free = (code: string) => [...freeIdentifiers(parseProgram(code))].sort();

describe('free identifiers (scope analysis)', () => {
  it('declared names of every kind are not free; uses of undeclared ones are', () => {
    assert.deepEqual(free('async function a(bot, { x, y: [z = w] }, ...rest) { return bot + x + z + rest.length + arguments.length }'), ['w']);
    assert.deepEqual(free('async function a() { const f = () => g(); var v = 1; let { p: q } = obj; return f() + v + q }'), ['g', 'obj']);
    assert.deepEqual(free('async function a() { b(); function b() { return c } }'), ['c'], 'hoisted declarations count before their line');
    assert.deepEqual(free('async function a() { try { x() } catch ({ message }) { log(message) } }'), ['log', 'x']);
    assert.deepEqual(free('async function a() { outer: for (const i of list) { if (i) continue outer; } }'), ['list'], 'labels are not references');
    assert.deepEqual(free('async function a(bot) { return bot.helper.deep + { key: 1 }.key + o[k] }'), ['k', 'o'], 'member and key names are not references');
    assert.deepEqual(free('async function a() { class K extends Base { m() { return K } } return new K() }'), ['Base']);
    assert.deepEqual(free('async function a() { { let t = 1 } return t }'), ['t'], 'block scope ends with its block');
    assert.deepEqual(free('async function a() { const h = function named() { return named }; return h }'), []);
    assert.deepEqual(free('async function a() { for (var i = 0; i < n; i++) {} return i }'), ['n'], 'var escapes the loop');
    assert.deepEqual(topLevelFunctions(parseProgram('async function a() {}\nfunction helper() {}')), ['a', 'helper']);
  });
});

describe('Minecraft names unknown to the target version', () => {
  it('finds quoted names and xxxByName reads; only names some newer release knows are reported', () => {
    const names = minecraftNamesIn(parseProgram('async function a() { mcData.itemsByName.raw_iron; mcData.blocksByName["copper_ore"]; f("oak_log", `lightning_rod`, "done", "Not a name") }'));
    assert.deepEqual([...names].sort(), ['copper_ore', 'done', 'lightning_rod', 'oak_log', 'raw_iron']);
    assert.deepEqual(MinecraftVocabulary.for('1.16.5').unknown(names), ['copper_ore', 'lightning_rod', 'raw_iron']);
    assert.deepEqual(MinecraftVocabulary.for('1.19.4').unknown(names), []);
    assert.throws(() => MinecraftVocabulary.for('0.0.1'), /no Minecraft data for version 0\.0\.1/);
  });
});

describe('skills/voyager-import: helpers and world version', function () {
  this.timeout(60_000);
  let dir: string;
  let lib: SkillLibrary;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-voy-helpers-'));
    lib = await SkillLibrary.open(join(dir, 'lib'), { logger: collectingLogger() });
  });
  afterEach(async () => {
    await lib.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries helpers declared in another skill file as dependencies, called or passed', async () => {
    const report = await importVoyager(lib, FIXTURE, { minecraftVersion: MINECRAFT_VERSION });
    assert.deepEqual(report.rejected, []);
    assert.equal(report.added.length, 7);
    const deps = async (name: string) => (await lib.get(name))!.dependencies;
    assert.deepEqual(await deps('placeFurnaceNearby'), ['placeTableNearby'], 'findSuitablePosition is declared in placeTableNearby.js');
    assert.deepEqual(await deps('collectLogsNearby'), ['mineLogs'], 'isLog is passed as a matcher, not called');
    assert.deepEqual(await deps('selfContained'), [], 'its own findSuitablePosition shadows the other one');
    assert.deepEqual(await deps('placeTableNearby'), []);

    // The program the runtime gets now declares the helper, and runs without a ReferenceError.
    const furnace = (await lib.get('placeFurnaceNearby'))!;
    const program = await collectProgram(lib, [furnace], new Set(['placeItem', 'mineBlock', 'craftItem', 'smeltItem']));
    assert.ok(!freeIdentifiers(parseProgram(program.code)).has('findSuitablePosition'));
    const runtime = new SkillRuntime();
    try {
      // The fake bot and placeItem live inside the sandbox: only plain data crosses.
      const world = `
        function at(x, y, z) { return { x, y, z, floored: () => at(x, y, z), offset: (a, b, c) => at(x + a, y + b, z + c) } }
        function makeBot() {
          return { placed: [], entity: { position: at(0, 64, 0) }, inventory: { findInventoryItem: () => ({ name: 'furnace' }) }, blockAt: () => ({ name: 'air' }), chat: () => undefined };
        }
        async function placeItem(bot, name, p) { bot.placed.push([name, p.x, p.y, p.z]) }`;
      const r = await runtime.run({
        code: `${program.code}\n${world}`,
        main: 'const bot = makeBot(); await placeFurnaceNearby(bot); return bot.placed',
        endowments: { mcData: { itemsByName: { furnace: { id: 61 } } } },
        timeoutMs: 20_000,
      });
      assert.equal(r.ok, true, r.error);
      assert.deepEqual(r.value, [['furnace', 1, 64, 0]]);
    } finally {
      await runtime.close();
    }
  });

  it('names items unknown to the world version in a warning and in the skill record', async () => {
    const report = await importVoyager(lib, FIXTURE, { minecraftVersion: '1.16.5' });
    const warned = Object.fromEntries(report.warnings.map((w) => [w.name, w.unknownNames]));
    assert.deepEqual(warned, { craftLightningRod: ['copper_ingot', 'copper_ore', 'lightning_rod', 'raw_copper'], smeltRawIron: ['raw_iron'] });
    assert.match(report.warnings.find((w) => w.name === 'smeltRawIron')!.message, /uses raw_iron, unknown to Minecraft 1\.16\.5: it will fail in a 1\.16\.5 world/);
    assert.deepEqual((await lib.get('smeltRawIron'))!.provenance.notes, ['uses raw_iron, unknown to Minecraft 1.16.5']);
    assert.equal((await lib.get('mineLogs'))!.provenance.notes, undefined);
    // Exported and imported elsewhere, the note travels with the skill.
    const other = await SkillLibrary.open(join(dir, 'other'), { logger: collectingLogger() });
    try {
      await other.importBundle(await lib.exportBundle());
      assert.deepEqual((await other.get('craftLightningRod'))!.provenance.notes, ['uses copper_ingot, copper_ore, lightning_rod, raw_copper, unknown to Minecraft 1.16.5']);
    } finally {
      await other.close();
    }
  });

  it('a newer target world warns about nothing; the CLI checks against the embedded world by default', async () => {
    const newer = await importVoyager(lib, FIXTURE, { minecraftVersion: '1.19.4' });
    assert.deepEqual(newer.warnings, []);
    const embedded = await SkillLibrary.open(join(dir, 'embedded'), { logger: collectingLogger() });
    const expected = await importVoyager(embedded, FIXTURE, { minecraftVersion: MINECRAFT_VERSION }).finally(() => embedded.close());
    const byDefault = await runCli(['--data-dir', join(dir, 'default'), 'skills', 'import', FIXTURE]);
    assert.match(byDefault.out, new RegExp(`7 added, 0 unchanged, 0 rejected, ${expected.warnings.length} warnings?\\n`));
    const r = await runCli(['--data-dir', join(dir, 'data'), 'skills', 'import', FIXTURE, '--minecraft-version', '1.16.5']);
    assert.equal(r.code, undefined);
    assert.match(r.out, /warning: smeltRawIron: uses raw_iron, unknown to Minecraft 1\.16\.5: it will fail in a 1\.16\.5 world/);
    assert.match(r.out, /7 added, 0 unchanged, 0 rejected, 2 warnings/);
    // A bundle of such skills is warned about too (its signed records are kept as they are).
    await writeBundle(join(dir, 'b.json'), await lib.exportBundle());
    const fromBundle = await runCli(['--data-dir', join(dir, 'bundle'), 'skills', 'import', join(dir, 'b.json'), '--minecraft-version', '1.16.5']);
    assert.match(fromBundle.out, /warning: smeltRawIron: uses raw_iron, unknown to Minecraft 1\.16\.5/);
    assert.match(fromBundle.out, /warning: craftLightningRod: uses copper_ingot, copper_ore, lightning_rod, raw_copper/);
    const show = await runCli(['--data-dir', join(dir, 'data'), 'skills', 'show', 'smeltRawIron']);
    assert.match(show.out, /notes: uses raw_iron, unknown to Minecraft/);
    const show2 = await runCli(['--data-dir', join(dir, 'data'), 'skills', 'show', 'placeFurnaceNearby']);
    assert.match(show2.out, /uses: placeTableNearby/);
  });
});
