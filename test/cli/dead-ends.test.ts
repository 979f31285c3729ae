/**
 * The command line without dead ends: each failure a new user met exits non-zero with one clear
 * message and a hint, and leaves nothing running or lying around. Each case failed before its fix:
 * - `minecraft --data-dir <a file>` printed ENOTDIR and kept running (the world kept Node alive);
 * - `affordance` said EEXIST with no hint;
 * - `world` on a taken port printed its message, then an unhandled ENOENT stack from flying-squid;
 * - two runs on one data dir ran together (now: a lock naming pid, command and since);
 * - `affordance train`'s closing hint failed at once without --llm;
 * - `--affordance missing.onnx` complained about missing.json;
 * - `skills keygen` wrote a private key .gitignore did not cover;
 * - temporary world folders of killed runs accumulated.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SkillforgeError } from '../../core/errors.js';
import { lockDataDir } from '../../bin/paths.js';
import { removeOrphanedWorlds } from '../../envs/minecraft/server/world.js';
import { runCli } from '../support/cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'skillforge.js');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  timedOut: boolean;
}

/** Run the real CLI in a child process; kill it (and report timedOut) if it outlives `ms`. */
function runChild(args: string[], ms: number, cwd = root): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, timedOut });
    });
  });
}

function rejectsWith(code: string, pattern: RegExp, hint = true) {
  return (err: unknown) => {
    // By shape: commands load core/errors through their own import URLs, so instanceof may not hold.
    const e = err as SkillforgeError;
    assert.equal(e?.name, 'SkillforgeError', `a SkillforgeError, got ${String(err)}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    if (hint) assert.ok(e.hint && e.hint.length > 10, 'with a hint');
    return true;
  };
}

describe('cli: no dead ends', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sf-dead-ends-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('minecraft --data-dir <a file> exits at once, non-zero, saying it is not a folder (no world is started)', async () => {
    const file = join(dir, 'afile');
    writeFileSync(file, 'x');
    const r = await runChild(['--data-dir', file, 'minecraft', '--iterations', '1'], 60_000);
    assert.equal(r.timedOut, false, `it must not keep running; stderr: ${r.err}`);
    assert.equal(r.code, 1);
    assert.match(r.err, /--data-dir .*afile is not a folder/);
    assert.match(r.err, /hint: give a folder path/);
    assert.doesNotMatch(r.err, /ENOTDIR|starting the embedded world/);
  });

  it('affordance names the file in the way instead of a bare EEXIST, before any work', async () => {
    const file = join(dir, 'afile');
    writeFileSync(file, 'x');
    await assert.rejects(runCli(['--data-dir', file, 'affordance', 'train', '--collect', '20']), rejectsWith('E_DATA_DIR', /afile is not a folder/));
    await assert.rejects(runCli(['--data-dir', join(dir, 'd'), 'affordance', 'train', '--collect', '20', '--out', join(file, 'm.onnx')]), rejectsWith('E_USAGE', /--out's folder .*afile is not a folder/));
    assert.equal(existsSync(join(dir, 'd', 'episodic.db')), false, 'nothing collected before the check');
    await assert.rejects(runCli(['--data-dir', file, 'affordance', 'dataset']), rejectsWith('E_DATA_DIR', /afile is not a folder/));
  });

  it('world on a taken port: one clear message, exit 1, no stack from flying-squid', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await runChild(['world', '--port', String(port)], 60_000);
      assert.equal(r.timedOut, false);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is taken`));
      assert.match(r.err, /hint: choose another port/);
      assert.doesNotMatch(r.err, /ENOENT|level\.dat|at .*\.js:\d+|triggerUncaughtException/);
      assert.equal(r.err.trim().split('\n').length, 2, `one message and its hint:\n${r.err}`);
    } finally {
      taken.close();
    }
  });

  describe('a lock on the data dir', () => {
    let holder: ChildProcess | undefined;
    afterEach(() => holder?.kill('SIGKILL'));

    it('a second run on the same data dir is refused, naming the holder (pid, command, since)', async () => {
      const data = join(dir, 'data');
      // The first run: another process holding the lock (what `skillforge minecraft` takes first).
      holder = spawn(process.execPath, ['--import', 'tsx', '-e', `const { lockDataDir } = await import(${JSON.stringify(join(root, 'bin', 'paths.ts'))}); lockDataDir(${JSON.stringify(data)}, 'skillforge minecraft --iterations 9'); console.log('locked'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => holder!.stdout!.once('data', () => resolve()));
      await assert.rejects(
        runCli(['--data-dir', data, 'minecraft', '--iterations', '1']),
        rejectsWith('E_DATA_DIR_LOCKED', new RegExp(`in use by pid ${holder.pid} \\(skillforge minecraft --iterations 9, since \\d{4}-\\d\\d-\\d\\dT`)),
      );
      await assert.rejects(runCli(['--data-dir', data, 'evolve', '--episodes', '1']), rejectsWith('E_DATA_DIR_LOCKED', /in use by pid/));
      holder.kill('SIGKILL');
      await new Promise((r) => holder!.once('exit', r));
      // The holder is gone (killed): its lock is stale and taken over.
      const release = lockDataDir(data, 'second');
      release();
      assert.equal(existsSync(join(data, 'lock.json')), false, 'released');
    });

    it('the lock is released when the run ends, so the next run starts', () => {
      const data = join(dir, 'data');
      lockDataDir(data, 'first')();
      lockDataDir(data, 'second')();
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `const { lockDataDir } = await import(${JSON.stringify(join(root, 'bin', 'paths.ts'))}); lockDataDir(${JSON.stringify(data)}, 'exits without releasing');`], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(existsSync(join(data, 'lock.json')), false, 'the exit hook removed it');
    });
  });

  it("affordance train's closing hint names --llm, which saycan needs", async () => {
    const r = await runCli(['--data-dir', dir, 'affordance', 'train', '--collect', '300', '--model', 'logreg']);
    const hint = r.out.split('\n').find((l) => l.startsWith('use it:'));
    assert.ok(hint, r.out);
    assert.match(hint, /skillforge saycan "[^"]+" --affordance \S+\.onnx --llm /);
    // Without --llm exactly what the old hint printed fails at once:
    await assert.rejects(runCli(['--data-dir', dir, 'saycan', 'bring me an apple', '--affordance', join(dir, 'models', 'kitchen-logreg.onnx')]), /language model/);
  });

  it('--affordance / --model missing.onnx names the .onnx, not a .json manifest', async () => {
    const missing = join(dir, 'missing.onnx');
    await assert.rejects(runCli(['--data-dir', dir, 'affordance', 'eval', '--model', missing]), (err: SkillforgeError) => {
      assert.equal(err.code, 'E_NOT_FOUND');
      assert.match(err.message, /no affordance model at .*missing\.onnx$/);
      assert.doesNotMatch(err.message, /missing\.json/);
      return true;
    });
  });

  it('skills keygen: a private key is covered by .gitignore wherever it is written', async () => {
    const gitDir = spawnSync('git', ['rev-parse', '--git-dir'], { cwd: root, encoding: 'utf8' });
    if (gitDir.status !== 0) return void assert.ok(true, 'not a git checkout');
    const base = join(root, `test-keygen-${process.pid}`);
    try {
      await runCli(['skills', 'keygen', base]);
      assert.ok(existsSync(`${base}.key`));
      const r = spawnSync('git', ['check-ignore', '-q', `${base}.key`], { cwd: root });
      assert.equal(r.status, 0, `${base}.key must be ignored by git`);
      const nested = spawnSync('git', ['check-ignore', '-q', join(root, 'docs', 'some', 'signing.key')], { cwd: root });
      assert.equal(nested.status, 0, 'in any folder');
    } finally {
      rmSync(`${base}.key`, { force: true });
      rmSync(`${base}.pub`, { force: true });
    }
  });

  describe('temporary world folders', () => {
    it('those of processes that are gone are removed; live, own and unmarked ones are kept', () => {
      const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
      const deadPid = Number(dead.stdout.trim());
      const make = (name: string, owner?: number) => {
        const f = join(dir, `skillforge-world-${name}`);
        mkdirSync(join(f, 'region'), { recursive: true });
        if (owner !== undefined) writeFileSync(join(f, 'skillforge-owner.json'), JSON.stringify({ pid: owner }));
        return f;
      };
      const orphan = make('orphan', deadPid);
      const mine = make('mine', process.pid);
      const unmarked = make('unmarked');
      const removed = removeOrphanedWorlds(dir);
      assert.deepEqual(removed, [orphan]);
      assert.deepEqual(readdirSync(dir).sort(), ['skillforge-world-mine', 'skillforge-world-unmarked']);
      assert.ok(existsSync(mine) && existsSync(unmarked));
    });

    it('a run that exits without stopping its world leaves no folder', async () => {
      const script = `const { startEmbeddedWorld } = await import(${JSON.stringify(join(root, 'envs', 'minecraft', 'server', 'world.ts'))});
        const w = await startEmbeddedWorld({ seed: 3 }); console.log(w.worldFolder); process.exit(0);`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 90_000 });
      const folder = r.stdout.trim().split('\n').at(-1)!;
      assert.match(folder, /skillforge-world-/, r.stderr);
      assert.equal(existsSync(folder), false, `${folder} was left behind`);
    });
  });
});
