/**
 * The dashboard from the command line: `skillforge ui` over a data directory (refused without a
 * library; the printed link's token is required; a warning when bound beyond loopback), and
 * `saycan --ui`, whose dashboard carries every decision of the run.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RosbridgeClient } from '../../robots/rosbridge/client.js';
import { SkillLibrary } from '../../skills/library.js';
import { parseBundle } from '../../skills/bundle.js';
import { runCli } from '../support/cli.js';
import { FakeLlmServer } from '../support/openai-server.js';
import { appleFetchLogprob } from '../support/saycan-models.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'skillforge.js');

/** Start the CLI and wait until stderr shows `pattern`; returns the child and the match. */
async function startChild(args: string[], pattern: RegExp, ms = 60_000): Promise<{ child: ChildProcessWithoutNullStreams; match: RegExpMatchArray; err: () => string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root });
  let err = '';
  child.stdout.resume();
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms; stderr:\n${err}`)), ms);
    child.stderr.on('data', (b) => {
      err += b;
      const m = err.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ${pattern}; stderr:\n${err}`));
    });
  });
  return { child, match, err: () => err };
}

const exited = (child: ChildProcessWithoutNullStreams) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c))));

describe('ui: from the command line', function () {
  this.timeout(120_000);
  let dir: string;
  const children: ChildProcessWithoutNullStreams[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sf-ui-cli-'));
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('skillforge ui without a library says where it looked and what to do', async () => {
    await assert.rejects(runCli(['--data-dir', dir, 'ui']), (e: Error & { code?: string; hint?: string }) => {
      assert.equal(e.code, 'E_UI_NO_LIBRARY');
      assert.match(e.message, /no skill library in .*library/);
      assert.match(e.hint ?? '', /--data-dir/);
      return true;
    });
  });

  it('skillforge ui serves the library behind the printed token, and stops on Ctrl-C', async () => {
    const lib = await SkillLibrary.open(join(dir, 'library'), { logger: { warn() {}, info() {} } as never });
    await lib.add({ name: 'stackCrates', description: 'stack the crates by the door', code: 'async function stackCrates(bot) { return 1; }', env: 'kitchen', status: 'verified' });
    await lib.close();
    const { child, match } = await startChild(['--data-dir', dir, 'ui'], /dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+))/);
    children.push(child);
    const [, url, port, token] = match;
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/skills?q=crates`)).status, 401);
    const hits = (await (await fetch(`http://127.0.0.1:${port}/api/skills?q=crates`, { headers: { authorization: `Bearer ${token}` } })).json()) as { name: string }[];
    assert.equal(hits[0]?.name, 'stackCrates');
    assert.equal((await fetch(url!)).status, 200);
    // Export from the page: the library as a bundle the importer accepts.
    const exported = await fetch(`http://127.0.0.1:${port}/api/export`, { headers: { authorization: `Bearer ${token}` } });
    assert.match(exported.headers.get('content-disposition') ?? '', /attachment; filename="skillforge-library-/);
    const bundle = parseBundle(await exported.json());
    assert.deepEqual(bundle.skills.map((s) => (s as { name: string }).name), ['stackCrates']);
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/export`)).status, 401);
    child.kill('SIGINT');
    assert.equal(await exited(child), 0);
  });

  it('--host beyond loopback is warned about', async () => {
    await (await SkillLibrary.open(join(dir, 'library'), { logger: { warn() {}, info() {} } as never })).close();
    const { child, err } = await startChild(['--data-dir', dir, 'ui', '--host', '0.0.0.0'], /dashboard: http:\/\/0\.0\.0\.0:\d+/);
    children.push(child);
    assert.match(err(), /warning: the dashboard binds 0\.0\.0\.0, so other machines can reach it/);
  });

  it('robot --ui: the page\'s e-stop latches the robot through the command\'s safety layer and ends the run', async () => {
    const llm = await FakeLlmServer.start({ logprob: appleFetchLogprob });
    try {
      // A slow robot (0.05 m/s) so the run is mid-navigation when the button is pressed.
      const args = ['robot', 'bring me an apple', '--seed', '3', '--sim-speed', '0.05', '--llm', 'openai-compatible:test-model', '--llm-base-url', llm.url, '--no-llm-cache', '--ui'];
      const { child, match, err } = await startChild(args, /dashboard: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+)[\s\S]*serving rosbridge on (ws:\/\/127\.0\.0\.1:\d+)/);
      children.push(child);
      const [, port, token, rosbridgeUrl] = match;
      const auth = { authorization: `Bearer ${token}` };
      const snapshot = async () => (await (await fetch(`http://127.0.0.1:${port}/api/snapshot`, { headers: auth })).json()) as { robot?: { connected: boolean; estop: { latched: boolean } }; agents: { task?: string }[] };
      // Press the button mid-navigation: once the robot's own odometry says it moves. (Waiting a
      // fixed time after the task appeared pressed it, on a loaded machine, while the language
      // model was still being asked, so no goal was running to be cancelled.)
      const watcher = new RosbridgeClient({ url: rosbridgeUrl! });
      await watcher.connect();
      try {
        await new Promise<void>((resolve) => {
          const sub = watcher.subscribe('/odom', 'nav_msgs/msg/Odometry', (m) => {
            const twist = (m as { twist?: { twist?: { linear?: { x?: number }; angular?: { z?: number } } } }).twist?.twist;
            if (Math.abs(twist?.linear?.x ?? 0) > 0 || Math.abs(twist?.angular?.z ?? 0) > 0) {
              sub.unsubscribe();
              resolve();
            }
          });
        });
      } finally {
        watcher.close();
      }
      const before = await snapshot();
      assert.equal(before.robot?.connected, true);
      assert.equal(before.robot?.estop.latched, false);
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/action/estop`, { method: 'POST' })).status, 401, 'not without the token');
      const pressed = await fetch(`http://127.0.0.1:${port}/api/action/estop`, { method: 'POST', headers: auth });
      assert.equal(pressed.status, 200);
      const code = await exited(child);
      assert.equal(code, 1, 'an e-stopped run fails');
      assert.match(err(), /E-STOP latched: e-stop button on the dashboard/);
      assert.match(err(), /stopped by the e-stop button on the dashboard/);
    } finally {
      await llm.close();
    }
  });

  it('saycan --ui: the dashboard holds every step of the run with Say, Can and the product', async () => {
    const llm = await FakeLlmServer.start({ logprob: appleFetchLogprob });
    try {
      const args = ['--data-dir', dir, 'saycan', 'bring me an apple', '--seed', '3', '--llm', 'openai-compatible:test-model', '--llm-base-url', llm.url, '--no-llm-cache', '--ui', '--ui-keep-open'];
      const { child, match } = await startChild(args, /dashboard stays open at http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+)/);
      children.push(child);
      const [, port, token] = match;
      const snap = (await (await fetch(`http://127.0.0.1:${port}/api/snapshot`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        agents: { name: string; task: string }[];
        decisions: { step: number; bars: { text: string; say: number; can: number; score: number; chosen: boolean }[] }[];
      };
      assert.equal(snap.agents[0]?.task, 'bring me an apple');
      assert.deepEqual(snap.decisions.map((d) => d.step), [1, 2, 3, 4, 5]);
      const first = snap.decisions[0]!;
      assert.equal(first.bars.find((b) => b.chosen)?.text, 'find the apple');
      for (const b of first.bars) assert.ok(Math.abs(b.score - b.say * b.can) < 1e-9);
      child.kill('SIGINT');
      assert.equal(await exited(child), 0);
    } finally {
      await llm.close();
    }
  });
});
