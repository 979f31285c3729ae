import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from '../support/spawn-cli.js';
import { FakeLlmServer } from '../support/openai-server.js';
import { ScriptedFetchWriter } from '../support/kitchen-learner.js';
import type { WriteRequest } from '../../agents/voyager/skill-writer.js';
import { loadState } from '../../agents/voyager/state.js';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `skillforge --data-dir <dir> learn ...` as its own process; resolves with its exit code and output. */
async function learn(dir: string, args: string[]) {
  const { code, out, err } = await spawnCli(['--data-dir', dir, 'learn', ...args]).done;
  return { code, text: out + err };
}

const count = (text: string, re: RegExp) => (text.match(new RegExp(re.source, `${re.flags}g`)) ?? []).length;

describe('skillforge learn --env <kit> (command line)', function () {
  this.timeout(240_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sf-learn-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('kitchen: learns skills, a second learner reuses them all, and the first one resumes its curriculum', async () => {
    const first = await learn(dir, ['--env', 'kitchen', '--iterations', '4', '--seed', '2']);
    assert.equal(first.code, 0, first.text);
    assert.match(first.text, /no language model configured: using the offline learner offline:kitchen-curriculum \+ offline:kitchen-plan-writer/);
    assert.equal(count(first.text, /^ {2}learned \w+ v1$/m), 4, first.text);
    assert.match(first.text, /^#1 go to the /m, 'live progress: the task');
    assert.match(first.text, /^OK {3}.+ \(1 round; library: 4 skills\)$/m, 'the outcome and the library size');
    assert.match(first.text, /done: 4 tasks this run \(4 succeeded, 0 by reuse\)/);
    assert.ok(existsSync(join(dir, 'learners', 'kitchen.json')), 'the curriculum state is saved');

    const second = await learn(dir, ['--env', 'kitchen', '--iterations', '4', '--seed', '2', '--agent', 'second']);
    assert.equal(second.code, 0, second.text);
    assert.equal(count(second.text, /^ {2}reusing \w+/m), 4, second.text);
    assert.match(second.text, /done: 4 tasks this run \(4 succeeded, 4 by reuse\)/);
    assert.match(second.text, /library: 4 skills/, 'nothing new written');

    const resumed = await learn(dir, ['--env', 'kitchen', '--iterations', '1', '--seed', '2']);
    assert.equal(resumed.code, 0, resumed.text);
    assert.match(resumed.text, /resuming: 4 iterations, 4 completed/);
    assert.match(resumed.text, /^#5 /m);
  });

  it('robot: the simulated robot learns through the safety layer, and a second learner reuses the skills', async () => {
    const fast = ['--setting', 'simSpeed=20', '--setting', 'manipulationMs=60'];
    const first = await learn(dir, ['--env', 'robot', '--iterations', '2', '--seed', '3', ...fast]);
    assert.equal(first.code, 0, first.text);
    assert.match(first.text, /simulated robot \(kitchen seed 3\) serving rosbridge on ws:\/\/127\.0\.0\.1:\d+/);
    assert.match(first.text, /safety: goal send_action_goal:\/navigate_to_pose/, 'commands pass the safety layer');
    assert.equal(count(first.text, /^ {2}learned \w+ v1$/m), 2, first.text);
    const second = await learn(dir, ['--env', 'robot', '--iterations', '2', '--seed', '3', '--agent', 'other', ...fast]);
    assert.equal(second.code, 0, second.text);
    assert.match(second.text, /done: 2 tasks this run \(2 succeeded, 2 by reuse\)/, second.text);
  });

  it('with --llm the language model proposes the task, writes the skill and describes it, with the kit\'s guide', async () => {
    const server = await FakeLlmServer.start();
    try {
      // Known-good fetch code, as a model would answer it.
      const { code } = await new ScriptedFetchWriter().write({ task: { description: 'bring me the apple', goal: { userHas: 'apple' } } } as unknown as WriteRequest);
      server.reply(
        JSON.stringify({ reasoning: 'fetching is the first useful thing', task: 'bring me the apple', goal: { userHas: 'apple' } }),
        JSON.stringify({ explanation: 'find it, pick it up, hand it over', plan: 'find, pick up, bring, put down', code }),
        JSON.stringify({ description: 'Fetches the apple and hands it to the user.' }),
      );
      const run = await learn(dir, ['--env', 'kitchen', '--iterations', '1', '--llm', 'openai-compatible:test-model', '--llm-base-url', server.url, '--no-llm-cache']);
      assert.equal(run.code, 0, run.text);
      assert.match(run.text, /environment: kitchen; language model: /);
      assert.match(run.text, /learned bringAppleToUser v1/);
      assert.match(run.text, /done: 1 tasks this run \(1 succeeded, 0 by reuse\)/);
      assert.equal(server.remaining(), 0, 'curriculum, writer and description each asked the model once');
      assert.match(JSON.stringify(server.requests[0]!.body), /kitchen\.pickUp/, "the curriculum prompt carries the kit's guide");
    } finally {
      await server.close();
    }
  });

  it('--ui: the dashboard follows the learner (tasks completed), and stays up until Ctrl-C when asked', async () => {
    const run = spawnCli(['--data-dir', dir, 'learn', '--env', 'kitchen', '--iterations', '3', '--ui', '--ui-keep-open']);
    await run.waitFor(/done: 3 tasks this run/, 60_000);
    const [, port, token] = /dashboard: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+)/.exec(run.output())!;
    const snapshot = (await (await fetch(`http://127.0.0.1:${port}/api/snapshot`, { headers: { authorization: `Bearer ${token}` } })).json()) as { agents: { name: string; completed: number }[] };
    assert.deepEqual(snapshot.agents.map((a) => [a.name, a.completed]), [['kitchen', 3]]);
    run.kill('SIGINT');
    const { code } = await run.done;
    assert.equal(code, 0, run.output());
  });

  it('Ctrl-C stops the running skill, saves the task as interrupted, and exits 130', async () => {
    // The simulated robot at its default 0.5 m/s: the first task is still driving when the signal comes.
    const run = spawnCli(['--data-dir', dir, 'learn', '--env', 'robot', '--iterations', '3']);
    await run.waitFor(/safety: goal send_action_goal:\/navigate_to_pose/, 120_000);
    run.kill('SIGINT');
    const { code, out, err } = await run.done;
    assert.equal(code, 130, out + err);
    assert.match(out + err, /INTERRUPTED .+ \(not counted; it is tried again\)/);
    const state = loadState(join(dir, 'learners', 'robot.json'), 'robot');
    assert.equal(state.iterations, 0);
    assert.equal(state.interrupted?.length, 1);
  });

  it("a user's kit with an exact planner and seeded tasks but no offline learner gets one built from them", async () => {
    const kitFile = join(dir, 'plain-kitchen.mjs');
    // The kitchen as a user might wrap it: its planner and seeded tasks, no offline learner of its own.
    writeFileSync(
      kitFile,
      `import { kit as kitchen } from ${JSON.stringify(join(root, 'kits', 'kitchen.ts'))};
export const kit = { ...kitchen, name: 'plain-kitchen', async open(o) { const s = await kitchen.open(o); delete s.offlineLearner; return s; } };\n`,
    );
    const run = await learn(join(dir, 'data'), ['--env', kitFile, '--iterations', '3']);
    assert.equal(run.code, 0, run.text);
    assert.match(run.text, /using the offline learner offline:plain-kitchen-curriculum \+ offline:plain-kitchen-plan-writer/);
    assert.equal(count(run.text, /^ {2}learned \w+ v1$/m), 3, run.text);
  });

  it('refuses a kit without an offline learner when no model is configured, and a missing --env, saying what to do', async () => {
    const kitFile = join(dir, 'bare-kit.mjs');
    writeFileSync(
      kitFile,
      `export const kit = { name: 'bare', description: 'a kit with no planner', kind: 'bare',
  callStyle: { root: 'w', call: () => '', order: () => [] },
  open: async () => ({ env: { kind: 'bare', primitives: () => [] }, fresh() { throw new Error('none'); }, close: async () => {} }) };\n`,
    );
    const bare = await learn(join(dir, 'data'), ['--env', kitFile]);
    assert.equal(bare.code, 1, bare.text);
    assert.match(bare.text, /the 'bare' environment has no offline learner \(nor an exact planner with seeded tasks to build one from\): learning there needs a language model/);
    assert.match(bare.text, /--llm/);
    // A real robot that does not answer: a clear error and exit 1 (the process used to end while
    // still connecting, as an internal error: nothing held it open during the retries).
    const down = await learn(join(dir, 'data'), ['--env', 'robot', '--setting', 'url=ws://127.0.0.1:9', '--setting', `profile=${join(root, 'robots', 'profiles', 'sim-kitchen.yaml')}`]);
    assert.equal(down.code, 1, down.text);
    assert.match(down.text, /connecting to ws:\/\/127\.0\.0\.1:9 timed out/);
    assert.match(down.text, /is rosbridge_server running/);
    const none = await learn(join(dir, 'data'), []);
    assert.equal(none.code, 1, none.text);
    assert.match(none.text, /learn needs --env/);
    assert.match(none.text, /kitchen, minecraft, robot/);
  });
});
