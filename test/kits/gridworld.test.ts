/**
 * An environment is a plug-in: a gridworld kit written entirely in the test folder (a user's own
 * module, test/fixtures/gridworld/kit.ts) gets SayCan, evolution and the learner through the command
 * line by `--env <path>`, with no edit anywhere else. And the registry says clearly what is wrong
 * with a name or a module that is not a kit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { builtInKitNames, loadKit } from '../../kits/registry.js';
import { FakeLlmServer } from '../support/openai-server.js';

/**
 * A scripted model served over HTTP that always likes "pick up the coin" best, then "move south":
 * from the start (0,0) the pick-up is infeasible, so only Can keeps SayCan from choosing it.
 */
function coinFirst(context: string, token: string): number {
  const marks = [...context.matchAll(/(\d+)\.(?=\s|$)/g)];
  const last = marks.at(-1);
  if (!last || last.index === undefined) return -3;
  const partial = (context.slice(last.index + last[0].length) + token).trimStart();
  const k = ['pick up the coin', 'move south', 'move east'].findIndex((e) => e.startsWith(partial));
  return k < 0 ? -3 : -0.5 * k;
}

const KIT = 'test/fixtures/gridworld/kit.ts';

describe('environment kits: a gridworld from the test folder only', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'sf-grid-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('SayCan: `saycan --env <path>` grounds the kit\'s primitives, plans with its planner offline and checks its goal', async () => {
    const { out, code } = await runCli(['--data-dir', join(dir, 'saycan'), 'saycan', '--env', KIT, 'pick up the coin', '--llm', 'offline', '--no-memory']);
    assert.equal(code, undefined, out);
    assert.match(out, /^gridworld seed 0; Say: offline:gridworld-planner/m);
    assert.match(out, /pick up the coin: ok/);
    assert.match(out, /task: SUCCESS \(holding the coin\)/);
  });

  it('SayCan: a language model that prefers an infeasible call is overruled by Can (the kit\'s preconditions)', async () => {
    const server = await FakeLlmServer.start({ logprob: coinFirst });
    try {
      const { out } = await runCli(['--data-dir', join(dir, 'saycan-llm'), 'saycan', '--env', KIT, 'pick up the coin', '--json', '--no-memory', '--max-steps', '1',
        '--llm', 'openai-compatible:test-model', '--llm-base-url', server.url, '--no-llm-cache']);
      const result = JSON.parse(out) as { steps: { top: { text: string; say: number; can: number }[]; chosen: { text: string; can: number } }[] };
      const step = result.steps[0]!;
      const favourite = [...step.top].sort((a, b) => b.say - a.say)[0]!;
      assert.equal(favourite.text, 'pick up the coin', 'the model likes the pick-up best');
      assert.equal(favourite.can, 0, 'but there is no coin at the start');
      assert.notEqual(step.chosen.text, 'pick up the coin');
      assert.ok(step.chosen.can > 0, 'SayCan chose a feasible call');
    } finally {
      await server.close();
    }
  });

  it('evolution: `evolve --env <path>` abstracts, verifies and stores composites of the kit\'s primitives', async () => {
    const { out } = await runCli(['--data-dir', join(dir, 'evolve'), 'evolve', '--env', KIT, '--episodes', '12', '--held-out', '4', '--reflect-every', '6', '--epsilon', '0', '--json']);
    const report = JSON.parse(out) as { env: string; counters: { abstracted: number }; before: { solved: number; tasks: number }; after: { solved: number; decisionsPerSolved: number }; ratio: number; skills: { name: string; status: string }[] };
    assert.equal(report.env, 'gridworld');
    assert.equal(report.after.solved, report.before.tasks);
    assert.ok(report.counters.abstracted >= 1, `abstracted ${report.counters.abstracted}`);
    assert.ok(report.ratio < 1, `decisions per solved task fell: ×${report.ratio}`);
    assert.ok(report.skills.some((s) => s.status === 'verified'));
  });

  it('the learner: `learn --env <path>` learns skills with the kit\'s offline learner, and a second learner reuses them', async () => {
    const data = join(dir, 'learn');
    const first = await runCli(['--data-dir', data, 'learn', '--env', KIT, '--json']);
    const events = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; skill?: string; success?: boolean });
    const stored = events(first.out).filter((e) => e.type === 'stored').map((e) => e.skill);
    assert.deepEqual(stored, ['pickUpTheKey', 'pickUpTheCoin']);
    assert.ok(events(first.out).filter((e) => e.type === 'done').every((e) => e.success));
    const second = await runCli(['--data-dir', data, 'learn', '--env', KIT, '--agent', 'bob', '--json']);
    const reused = events(second.out).filter((e) => e.type === 'reuse').map((e) => e.skill);
    assert.deepEqual(reused, ['pickUpTheKey', 'pickUpTheCoin']);
    assert.ok(events(second.out).filter((e) => e.type === 'done').every((e) => e.success));
    assert.equal(events(second.out).filter((e) => e.type === 'stored').length, 0, 'nothing new written');
  });

  it('the registry: built-in names, a clear error for an unknown name, and for a module that is not a kit', async () => {
    assert.ok(builtInKitNames().includes('kitchen') && builtInKitNames().includes('minecraft'));
    assert.equal((await loadKit('kitchen')).kind, 'kitchen');
    assert.equal((await loadKit(KIT)).name, 'gridworld');
    await assert.rejects(loadKit('atlantis'), (e: Error & { hint?: string }) => /no environment named 'atlantis'/.test(e.message) && /kitchen/.test(e.hint ?? ''));
    const notKit = join(dir, 'not-a-kit.mjs');
    writeFileSync(notKit, 'export const kit = { name: "x", open: 42 };\n');
    await assert.rejects(loadKit(notKit), /is not an environment kit: .*description.*open\(options\)/s);
    await assert.rejects(loadKit(join(dir, 'missing.ts')), /no kit module at/);
    const { out } = await runCli(['envs']);
    assert.match(out, /^kitchen +SayCan's simulated kitchen/m);
    assert.match(out, /^minecraft +Minecraft/m);
    assert.match(out, /your own: --env \.\/path\/to\/kit\.ts/);
  });
});
