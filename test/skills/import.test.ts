import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SkillforgeError } from '../../core/errors.js';
import { bundleDigest, exportBundle, importBundle, readBundle, writeBundle, type Bundle } from '../../skills/bundle.js';
import { SkillLibrary } from '../../skills/library.js';
import { importVoyager, isVoyagerFolder, voyagerDescription } from '../../skills/voyager-import.js';
import { collectingLogger } from './helpers.js';

const VOYAGER = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'voyager');

describe('skills/voyager-import', () => {
  let dir: string;
  let lib: SkillLibrary;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-voy-'));
    lib = await SkillLibrary.open(dir, { logger: collectingLogger() });
  });
  afterEach(async () => {
    await lib.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports skills, versions (craftIronPickaxeV2), dependencies and descriptions; rejects broken code', async () => {
    assert.ok(isVoyagerFolder(VOYAGER));
    const report = await importVoyager(lib, VOYAGER);
    assert.deepEqual(
      report.added.map((a) => `${a.name}@${a.version}`).sort(),
      ['craftIronPickaxe@1', 'craftIronPickaxe@2', 'craftWoodenPlanks@1', 'mineWoodLog@1'],
    );
    assert.ok(report.rejected.length >= 1);
    assert.ok(report.rejected.every((r) => r.name === 'brokenSkill'));
    assert.match(report.rejected[0]!.errors[0]!, /\/code does not parse at line 3/);

    const pick = await lib.get('craftIronPickaxe');
    assert.equal(pick?.version, 2);
    assert.deepEqual(pick?.dependencies, ['craftWoodenPlanks']);
    assert.equal(pick?.env, 'minecraft');
    assert.equal(pick?.status, 'candidate');
    assert.match(pick!.description, /^Craft an iron pickaxe: smelt raw iron/);
    assert.equal((await lib.get('craftIronPickaxe', 1))?.description, 'Craft an iron pickaxe from planks and iron ingots.');
    assert.deepEqual((await lib.get('craftWoodenPlanks'))?.dependencies, ['mineWoodLog']);
    assert.deepEqual((await lib.get('mineWoodLog'))?.dependencies, []);
    assert.equal((await lib.search('get wood from a tree', 1))[0]?.skill.name, 'mineWoodLog');

    const again = await importVoyager(lib, join(VOYAGER, 'skill'), { trusted: true });
    assert.deepEqual(again.added, [], 'importing the same folder twice adds nothing');
  });

  it('imports as trusted -> verified', async () => {
    await importVoyager(lib, VOYAGER, { trusted: true });
    assert.equal((await lib.get('mineWoodLog'))?.status, 'verified');
  });

  it('reads comment-stub descriptions', () => {
    assert.equal(voyagerDescription('async function a(bot) {\n    // Line one\n    // line two.\n}\n', 'a'), 'Line one line two.');
    assert.equal(voyagerDescription('', 'mineWoodLog'), 'mine wood log');
  });

  it('refuses a folder that is not a Voyager library', async () => {
    await assert.rejects(importVoyager(lib, dir), /holds no Voyager skill library/);
  });
});

describe('skills/bundle', () => {
  let dir: string;
  let src: SkillLibrary;
  let dst: SkillLibrary;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-bundle-'));
    src = await SkillLibrary.open(join(dir, 'src'), { logger: collectingLogger() });
    dst = await SkillLibrary.open(join(dir, 'dst'), { logger: collectingLogger() });
    await importVoyager(src, VOYAGER, { trusted: true });
  });
  afterEach(async () => {
    await src.close();
    await dst.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips every version through a file, hashes checked, verified kept only when trusted', async () => {
    const file = join(dir, 'b.json');
    await writeBundle(file, await exportBundle(src, { allVersions: true }));
    const bundle = await readBundle(file);
    assert.equal(bundle.skills.length, 4);
    assert.equal(bundle.signature, null);
    const r = await importBundle(dst, bundle);
    assert.deepEqual(r.rejected, []);
    assert.equal(r.digestMismatch, false);
    assert.equal(r.entries.filter((e) => e.action === 'added').length, 4);
    assert.deepEqual((await dst.versions('craftIronPickaxe')).map((s) => s.version), [1, 2]);
    assert.equal((await dst.get('mineWoodLog'))?.status, 'candidate');
    assert.equal((await src.get('mineWoodLog'))?.hash, (await dst.get('mineWoodLog'))?.hash);
    assert.equal((await dst.search('wooden planks', 1))[0]?.skill.name, 'craftWoodenPlanks');
  });

  it('policies: skip, new-version, replace', async () => {
    await dst.add({ name: 'mineWoodLog', env: 'minecraft', description: 'Local variant', code: 'async function mineWoodLog(bot) { await bot.dig(); }' });
    const bundle = await src.exportBundle({ names: ['mineWoodLog'] });

    const skip = await dst.importBundle(bundle, { policy: 'skip' });
    assert.deepEqual(skip.entries.map((e) => e.action), ['skipped']);
    assert.equal((await dst.get('mineWoodLog'))?.description, 'Local variant');

    const nv = await importBundle(dst, bundle, { policy: 'new-version' });
    assert.deepEqual(nv.entries.map((e) => [e.action, e.version]), [['added', 2]]);
    assert.equal((await dst.get('mineWoodLog'))?.provenance.parent, 1);
    const nv2 = await importBundle(dst, bundle, { policy: 'new-version' });
    assert.deepEqual(nv2.entries.map((e) => e.action), ['unchanged']);

    const rep = await importBundle(dst, bundle, { policy: 'replace', trusted: true });
    assert.deepEqual(rep.entries.map((e) => [e.action, e.version]), [['replaced', 1]]);
    const versions = await dst.versions('mineWoodLog');
    assert.deepEqual(versions.map((s) => [s.version, s.status]), [[1, 'verified']]);
    assert.equal((await dst.search('mine wood log', 5)).filter((h) => h.skill.name === 'mineWoodLog').length, 1);
  });

  it('refuses a bundle with invalid entries whole by default; --skip-invalid imports the valid rest with a per-entry report', async () => {
    const bundle = await exportBundle(src, { allVersions: true });
    const skills = [...bundle.skills] as Record<string, unknown>[];
    skills[0] = { ...skills[0], description: 'tampered after export' }; // hash no longer matches
    skills.push({ name: 'not valid', code: 42 });
    skills.push({ ...skills[1], name: 'renamedBadly' }); // code defines another function, hash wrong
    const tampered: Bundle = { ...bundle, skills };
    const file = join(dir, 't.json');
    writeFileSync(file, JSON.stringify(tampered));
    await assert.rejects(importBundle(dst, await readBundle(file)), (e: SkillforgeError) =>
      e.code === 'E_BUNDLE_INVALID' && /nothing was imported: 3 of 6 entries are invalid \(#0 craftIronPickaxe: \/hash does not match/.test(e.message) && /--skip-invalid/.test(e.hint!));
    assert.equal(await dst.count({ allVersions: true }), 0, 'nothing written');
    await assert.rejects(importBundle(dst, await readBundle(file), { skipInvalid: true, trusted: true }), /cannot be combined/);
    const r = await importBundle(dst, await readBundle(file), { skipInvalid: true });
    assert.equal(r.digestMismatch, true);
    assert.deepEqual(r.rejected.map((x) => x.index), [0, 4, 5]);
    assert.match(r.rejected[0]!.errors.join(), /\/hash does not match/);
    assert.match(r.rejected[1]!.errors.join(), /\/name must match pattern/);
    assert.equal(r.entries.filter((e) => e.action === 'added').length, 3);
    const fresh = await exportBundle(src, { allVersions: true });
    assert.equal(bundleDigest(fresh.skills), fresh.digest);
  });

  it('refuses files that are not bundles', async () => {
    const file = join(dir, 'x.json');
    writeFileSync(file, '{"format":"zip"}');
    await assert.rejects(readBundle(file), /invalid bundle/);
    writeFileSync(file, 'not json');
    await assert.rejects(readBundle(file), /is not JSON/);
    assert.ok(readFileSync(file));
  });
});
