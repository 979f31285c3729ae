/**
 * Issue acceptance, in the embedded world. First, exactly what `npm start` runs (`node
 * bin/skillforge.js minecraft`, every default: embedded world seed 1, offline planner, no language
 * model) on a fresh data dir must reach the iron pickaxe on its first run. Then its library, loaded by
 * a new agent in a world with another seed, solves "craft a wooden pickaxe" and "craft a stone
 * pickaxe" by reuse, writing no new skill.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMinecraftEnvironment, MinecraftTechTree } from '../../envs/minecraft/index.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { VoyagerLearner, Critic, TaskListCurriculum, taskFor, type LearnerEvent, type SkillWriter } from '../../agents/voyager/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a hung or slow run had printed last, for the failure message. */
const tail = (output: string) => output.split('\n').filter((l) => !/DeprecationWarning|trace-deprecation/.test(l)).slice(-40).join('\n');

/**
 * Run the CLI as `npm start` does (package.json "start"), with only the data dir chosen. Past
 * `limitMs` it is interrupted (SIGINT: it stops after the current skill), then killed.
 */
function npmStart(dataDir: string, limitMs: number, children: ChildProcess[]): Promise<{ code: number | null; output: string; interrupted: boolean }> {
  const env = { ...process.env };
  delete env.SKILLFORGE_LLM; // the defaults: no language model configured
  delete env.SKILLFORGE_LIBRARY;
  return new Promise((resolve, reject) => {
    // package.json's own start script ("exec node <node flags> bin/skillforge.js minecraft"), with this Node.
    const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
    const args = script.slice(script.indexOf('node') + 1);
    const child = spawn(process.execPath, [...args, '--data-dir', dataDir], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    let interrupted = false;
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const stop = setTimeout(() => {
      interrupted = true;
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 60_000).unref();
    }, limitMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(stop);
      resolve({ code, output, interrupted });
    });
  });
}

describe('agents/voyager: the first `npm start` in the embedded Minecraft world', function () {
  // Bounds a hung run only; the learner's own limits are counted in game ticks.
  this.timeout(1_200_000);
  const dir = mkdtempSync(join(tmpdir(), 'sf-mc-first-run-'));
  const runtime = new SkillRuntime();
  const tree = new MinecraftTechTree();
  let first: { code: number | null; output: string; interrupted: boolean } | undefined;
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches the iron pickaxe on its first run, from an empty inventory and an empty library', async () => {
    first = await npmStart(dir, 1_080_000, children);
    assert.ok(!first.interrupted, `no iron pickaxe after 18 minutes; the run had printed:\n${tail(first.output)}`);
    assert.equal(first.code, 0, tail(first.output));
    for (const tier of ['wooden tool', 'stone tool', 'iron tool']) assert.match(first.output, new RegExp(`★ milestone ${tier} at iteration \\d+`), tail(first.output));
    // Live progress named the primitives it ran.
    assert.match(first.output, /· smeltItem\(iron_ore, /, tail(first.output));
  });

  it('another agent in another world reuses that library for the wooden and stone pickaxes', async function () {
    if (!first) this.skip();
    const library = await SkillLibrary.open(join(dir, 'library'), { logger: { warn() {}, info() {} } as never });
    try {
      const skillsBefore = await library.count({ allVersions: true });
      assert.ok(skillsBefore >= 7, `the first run stored ${skillsBefore} skills`);
      const env2 = await createMinecraftEnvironment({ embedded: { seed: 9 }, username: 'second' });
      try {
        const noWriting: SkillWriter = { id: 'must-not-write', write: async () => { throw new Error('a new skill was written') } };
        const events: LearnerEvent[] = [];
        const second = new VoyagerLearner({
          env: env2, library, runtime, writer: noWriting, critic: new Critic(env2), agent: 'second', maxRounds: 1, skillTimeoutMs: 180_000,
          curriculum: new TaskListCurriculum([taskFor(tree, 'wooden_pickaxe'), taskFor(tree, 'stone_pickaxe')]),
          onEvent: (e) => events.push(e),
        });
        const summary = await second.learn({ iterations: 2 });
        assert.deepEqual(summary.results.map((r) => [r.task, r.success, r.reused]), [
          ['Craft 1 wooden pickaxe', true, true],
          ['Craft 1 stone pickaxe', true, true],
        ], JSON.stringify(events.filter((e) => e.type === 'verdict' || e.type === 'reuse')));
        assert.equal(await library.count({ allVersions: true }), skillsBefore, 'no new skill or version');
      } finally {
        await env2.close();
      }
    } finally {
      await library.close();
    }
  });
});
