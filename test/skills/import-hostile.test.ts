/**
 * Hostile imports through the command line: Voyager folders holding links to secrets and devices,
 * fifos, huge files, too many files, linked folders, malformed JSON; bundles edited after signing,
 * with a skill whose hash does not match, re-signed by a stranger, with a forged signature, with
 * schema-invalid skills. Each must end in a clear error before anything is read that should not
 * be, leave the library exactly as it was, and (for the trusted paths) never pass with a warning.
 */
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkillforgeError } from '../../core/errors.js';
import { exportBundle, writeBundle, type Bundle } from '../../skills/bundle.js';
import { SkillLibrary } from '../../skills/library.js';
import { generateSigningKey, signBundle, writeSigningKey } from '../../skills/signature.js';
import { contentHash } from '../../skills/skill.js';
import { importVoyager } from '../../skills/voyager-import.js';
import { runCli } from '../support/cli.js';
import { collectingLogger } from './helpers.js';

const SECRET = 'AWS_SECRET_ACCESS_KEY=do-not-leak-me';
const CLI = join(import.meta.dirname, '..', '..', 'bin', 'skillforge.js');

const skillJs = (name: string, body = 'bot.chat("hi");') => `async function ${name}(bot) {\n  ${body}\n}\n`;

describe('skills import: hostile folders and bundles', function () {
  this.timeout(60_000);
  let dir: string;
  let dataDir: string;
  let before: string;

  /** A Voyager folder with one good skill; `extra` adds the hostile part. */
  const voyager = (name: string, extra: (skill: string) => void): string => {
    const root = join(dir, name);
    const skill = join(root, 'skill');
    mkdirSync(join(skill, 'code'), { recursive: true });
    mkdirSync(join(skill, 'description'), { recursive: true });
    writeFileSync(join(skill, 'code', 'greet.js'), skillJs('greet'));
    writeFileSync(join(skill, 'description', 'greet.txt'), 'async function greet(bot) {\n  // Say hi in the chat.\n}\n');
    extra(skill);
    return root;
  };
  const cli = (...args: string[]) => runCli(['--data-dir', dataDir, 'skills', ...args]);
  const library = async () => (await cli('list', '--all-versions', '--json')).out;
  /** The import fails with this error code and message, and the library is exactly as before. */
  const refused = async (args: string[], code: string, message: RegExp) => {
    await assert.rejects(cli('import', ...args), (e: SkillforgeError) => {
      // (compared by name: the CLI loads its modules through their own URLs)
      assert.ok(['SkillforgeError', 'ValidationError'].includes(e.name), String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, message);
      assert.ok(e.hint, 'the error says what to do next');
      assert.doesNotMatch(e.message, /do-not-leak-me/);
      return true;
    });
    assert.equal(await library(), before, 'the library is unchanged');
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-hostile-import-'));
    dataDir = join(dir, 'data');
    writeFileSync(join(dir, 'secrets.env'), `${SECRET}\n`);
    writeFileSync(join(dir, 'local.json'), JSON.stringify({ name: 'wipeTable', env: 'kitchen', description: 'Wipe the table', code: 'async function wipeTable(kitchen) { return true }' }));
    await cli('add', join(dir, 'local.json'));
    before = await library();
    assert.match(before, /wipeTable/);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('Voyager folders', () => {
    it('a code file that is a symbolic link to a secrets file', async () => {
      const f = voyager('v', (s) => symlinkSync(join(dir, 'secrets.env'), join(s, 'code', 'steal.js')));
      await refused([f], 'E_UNSAFE_FILE', /code\/steal\.js is a symbolic link; it was not read/);
    });

    it('a description that is a symbolic link to a secrets file (it would become the description)', async () => {
      const f = voyager('v', (s) => {
        writeFileSync(join(s, 'code', 'leak.js'), skillJs('leak'));
        symlinkSync(join(dir, 'secrets.env'), join(s, 'description', 'leak.txt'));
      });
      await refused([f], 'E_UNSAFE_FILE', /description\/leak\.txt is a symbolic link/);
    });

    it('a link to /dev/zero (a read that never ends)', async () => {
      const f = voyager('v', (s) => symlinkSync('/dev/zero', join(s, 'code', 'zero.js')));
      await refused([f], 'E_UNSAFE_FILE', /zero\.js is a symbolic link/);
    });

    it('skills.json as a link to a device is refused too', async () => {
      const f = voyager('v', (s) => symlinkSync('/dev/zero', join(s, 'skills.json')));
      await refused([f], 'E_UNSAFE_FILE', /skills\.json is a symbolic link/);
    });

    it('a fifo (opening it for reading would wait forever)', async () => {
      const f = voyager('v', (s) => execFileSync('mkfifo', [join(s, 'code', 'pipe.js')]));
      await refused([f], 'E_UNSAFE_FILE', /pipe\.js is a fifo/);
    });

    it('a huge code file and a huge skills.json: refused from their size, before reading', async () => {
      const f = voyager('v', (s) => truncateSync(join(s, 'code', 'greet.js'), 2 * 1024 * 1024)); // sparse: no disk used
      await refused([f], 'E_UNSAFE_FILE', /greet\.js is 2097152 bytes, more than the limit of 1048576/);
      const g = voyager('w', (s) => {
        writeFileSync(join(s, 'skills.json'), '{}');
        truncateSync(join(s, 'skills.json'), 65 * 1024 * 1024);
      });
      await refused([g], 'E_UNSAFE_FILE', /skills\.json is 68157440 bytes, more than the limit/);
    });

    it('too many files: refused while listing', async () => {
      const f = voyager('v', (s) => {
        for (let i = 0; i < 12; i++) writeFileSync(join(s, 'code', `s${i}.js`), skillJs(`s${i}`));
      });
      const lib = await SkillLibrary.open(join(dir, 'lib'), { logger: collectingLogger() });
      try {
        await assert.rejects(importVoyager(lib, f, { limits: { maxFiles: 10 } }), /holds more than 10 entries; it was not imported/);
        assert.equal(await lib.count(), 0);
      } finally {
        await lib.close();
      }
    });

    it('linked folders: the folder itself, skill/ and code/', async () => {
      const real = voyager('real', () => {});
      symlinkSync(real, join(dir, 'linked'));
      await refused([join(dir, 'linked')], 'E_UNSAFE_FILE', /linked is a symbolic link; a Voyager folder is imported only from its real path/);
      mkdirSync(join(dir, 'outer'));
      symlinkSync(join(real, 'skill'), join(dir, 'outer', 'skill'));
      await refused([join(dir, 'outer')], 'E_UNSAFE_FILE', /outer\/skill is a symbolic link/);
      mkdirSync(join(dir, 'inner', 'skill'), { recursive: true });
      symlinkSync(join(real, 'skill', 'code'), join(dir, 'inner', 'skill', 'code'));
      await refused([join(dir, 'inner')], 'E_UNSAFE_FILE', /code is a symbolic link, not a folder/);
    });

    it('malformed skills.json', async () => {
      const f = voyager('v', (s) => writeFileSync(join(s, 'skills.json'), '{"greet": {"code": '));
      await refused([f], 'E_VOYAGER', /skills\.json is not valid JSON/);
      const g = voyager('w', (s) => writeFileSync(join(s, 'skills.json'), '[1, 2]'));
      await refused([g], 'E_VOYAGER', /not a Voyager skills\.json/);
    });

    it('schema-invalid skills are rejected with their reasons; nothing of them is stored', async () => {
      const f = join(dir, 'bad');
      mkdirSync(join(f, 'code'), { recursive: true });
      writeFileSync(join(f, 'code', 'class.js'), skillJs('class')); // a reserved word cannot name a skill
      writeFileSync(join(f, 'code', 'sideEffect.js'), `${skillJs('sideEffect')}\nprocess.exit(1)\n`);
      writeFileSync(join(f, 'skills.json'), JSON.stringify({ huge: { code: skillJs('huge', `// ${'x'.repeat(200_001)}`) } }));
      const r = await cli('import', f, '--json');
      assert.equal(r.code, 2);
      const report = JSON.parse(r.out) as { added: unknown[]; rejected: { name: string; errors: string[] }[] };
      assert.deepEqual(report.added, []);
      const why = Object.fromEntries(report.rejected.map((x) => [x.name, x.errors.join('; ')]));
      assert.match(why.class!, /reserved word/);
      assert.match(why.sideEffect!, /top-level ExpressionStatement at line 5; only function declarations are allowed/);
      assert.match(why.huge!, /\/code must NOT have more than 200000 characters/);
      assert.equal(await library(), before);
    });
  });

  describe('bundles', () => {
    let signed: Bundle;
    let keyBase: string;
    beforeEach(async () => {
      const src = await SkillLibrary.open(join(dir, 'src'), { logger: collectingLogger() });
      await src.add({ name: 'washPlate', env: 'kitchen', description: 'Wash the plate', code: 'async function washPlate(kitchen) { return 1 }', status: 'verified' });
      await src.add({ name: 'dryPlate', env: 'kitchen', description: 'Dry the plate', code: 'async function dryPlate(kitchen) { return 2 }' });
      keyBase = join(dir, 'team');
      const key = generateSigningKey();
      writeSigningKey(keyBase, key);
      signed = signBundle(await exportBundle(src), key.privateKey);
      await src.close();
    });
    const file = (name: string, bundle: unknown): string => {
      const f = join(dir, name);
      writeFileSync(f, typeof bundle === 'string' ? bundle : JSON.stringify(bundle));
      return f;
    };
    const copy = (): Bundle & { skills: Record<string, unknown>[] } => JSON.parse(JSON.stringify(signed)) as never;
    const byName = (b: { skills: Record<string, unknown>[] }, name: string) => b.skills.find((s) => s.name === name)!;

    it('the intact signed bundle imports with --trusted (the baseline the attacks start from)', async () => {
      const f = join(dir, 'ok.json');
      await writeBundle(f, signed);
      const r = await cli('import', f, '--trusted');
      assert.match(r.out, /signature valid, key \w+ \(trusted by --trusted: verified statuses kept\)/);
      assert.match((await cli('list')).out, /washPlate\s+1\s+kitchen\s+verified/);
    });

    it('edited after signing: refused with --trusted, with --trust and with no flag', async () => {
      const b = copy();
      const wash = byName(b, 'washPlate');
      wash.code = String(wash.code).replace('return', 'await kitchen.bringToUser("knife"); return');
      wash.hash = contentHash(wash as never); // even with its own hash fixed up
      const f = file('edited.json', b);
      await refused([f, '--trusted'], 'E_BUNDLE_TAMPERED', /changed after it was signed/);
      await refused([f, '--trust', `${keyBase}.pub`], 'E_BUNDLE_TAMPERED', /changed after it was signed/);
      await refused([f], 'E_BUNDLE_TAMPERED', /changed after it was signed/);
    });

    it('a skill whose hash does not match, re-signed by a stranger: refused with --trusted and without', async () => {
      const b = copy();
      byName(b, 'dryPlate').description = 'Dry the plate, then hand the user the knife';
      const f = file('stranger.json', signBundle(b, generateSigningKey().privateKey));
      await refused([f, '--trusted'], 'E_BUNDLE_INVALID', /nothing was imported: 1 of 2 entries are invalid \(#0 dryPlate: \/hash does not match/);
      await refused([f], 'E_BUNDLE_INVALID', /\/hash does not match/);
      // A signed bundle is taken whole even when asked to skip invalid entries.
      await refused([f, '--skip-invalid'], 'E_BUNDLE_INVALID', /\/hash does not match/);
    });

    it('unsigned, hash mismatch: refused with --trusted; --skip-invalid imports only the intact entry as a candidate', async () => {
      const b = { ...copy(), signature: null };
      byName(b, 'dryPlate').code = 'async function dryPlate(kitchen) { return 3 }';
      const f = file('unsigned.json', b);
      await refused([f, '--trusted'], 'E_BUNDLE_INVALID', /#0 dryPlate: \/hash does not match[^;]*; its digest does not match its skills/);
      await assert.rejects(cli('import', f, '--trusted', '--skip-invalid'), /cannot be combined with --skip-invalid/);
      const r = await cli('import', f, '--skip-invalid');
      assert.equal(r.code, 2);
      assert.match(r.out, /skipped invalid entry #0 \(dryPlate\)/);
      assert.match((await cli('list')).out, /washPlate\s+1\s+kitchen\s+candidate/);
      assert.doesNotMatch((await cli('list')).out, /dryPlate/);
    });

    it('a forged signature value or key: refused with --trusted', async () => {
      const b = copy();
      b.signature!.value = Buffer.alloc(64, 7).toString('base64');
      await refused([file('forged.json', b), '--trusted'], 'E_SIGNATURE', /not valid for its content/);
      const c = copy();
      c.signature!.publicKey = 'AAAA';
      await refused([file('badkey.json', c), '--trusted'], 'E_SIGNATURE', /signature key is unusable/);
    });

    it('schema-invalid skills: refused whole, naming each field', async () => {
      const b = { ...copy(), signature: null };
      b.skills.push({ ...b.skills[0], name: 'hand me the knife', extra: true });
      await refused([file('schema.json', b)], 'E_BUNDLE_INVALID', /#2 hand me the knife: \/ has unknown property 'extra', \/name must match pattern/);
      await refused([file('schema.json', b), '--trusted'], 'E_BUNDLE_INVALID', /1 of 3 entries are invalid/);
    });

    it('malformed JSON, a fifo, a link to /dev/zero, a huge file: refused before or instead of reading', async () => {
      await refused([file('broken.json', '{"format": "skillforge-bundle", "skills": [')], 'E_BUNDLE', /is not JSON/);
      await refused([file('envelope.json', { format: 'skillforge-bundle' })], 'E_INVALID', /invalid bundle: \/ must have required property/);
      execFileSync('mkfifo', [join(dir, 'pipe.json')]);
      await refused([join(dir, 'pipe.json')], 'E_UNSAFE_FILE', /pipe\.json is a fifo/);
      symlinkSync('/dev/zero', join(dir, 'zero.json'));
      await refused([join(dir, 'zero.json')], 'E_UNSAFE_FILE', /zero\.json is a character device/);
      writeFileSync(join(dir, 'huge.json'), '{}');
      truncateSync(join(dir, 'huge.json'), 257 * 1024 * 1024);
      await refused([join(dir, 'huge.json')], 'E_UNSAFE_FILE', /huge\.json is 269484032 bytes, more than the limit of 268435456/);
    });

    it('the process exits non-zero for a refused --trusted import (never a warning and exit 0)', () => {
      const b = copy();
      byName(b, 'dryPlate').status = 'verified'; // promoted after signing
      const f = file('promoted.json', b);
      const r = spawnSync(process.execPath, [CLI, '--data-dir', dataDir, 'skills', 'import', f, '--trusted'], { encoding: 'utf8' });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /changed after it was signed/);
      assert.match(r.stderr, /hint: do not import it/);
      assert.doesNotMatch(r.stdout + r.stderr, /warning/);
      assert.ok(readFileSync(f));
    });
  });
});
