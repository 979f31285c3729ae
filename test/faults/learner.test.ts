/**
 * The learner against a model server that fails, and under a stop signal: an outage or a stop is
 * never a failed task, a failed skill run, a lowered statistic, a failure in episodic memory or a
 * curriculum entry; the task is tried again when the model is back. (Kitchen, no Minecraft.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { KitchenEnvironment } from '../../envs/kitchen/index.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { EpisodicMemory } from '../../memory/episodic.js';
import { VoyagerLearner, type LearnerEvent } from '../../agents/voyager/learner.js';
import { TaskListCurriculum } from '../../agents/voyager/curriculum.js';
import { LlmSkillWriter } from '../../agents/voyager/skill-writer.js';
import { Critic } from '../../agents/voyager/critic.js';
import { LearningTeam } from '../../agents/voyager/team.js';
import { loadState } from '../../agents/voyager/state.js';
import { createLanguageModel } from '../../agents/llm/factory.js';
import { ProviderError } from '../../agents/llm/errors.js';
import { FakeLlmServer } from '../support/openai-server.js';

const TASK = { description: 'Bring the apple to the user', goal: { userHas: 'apple' } };
const GOOD = `async function bringAppleToUser(kitchen) {
  const must = async (p, what) => { const o = await p; if (!o.success) throw new Error(what + ': ' + o.error); };
  await must(kitchen.find('apple'), 'find');
  let picked = await kitchen.pickUp('apple');
  if (!picked.success && /closed/.test(picked.error)) {
    const state = await kitchen.observe();
    await must(kitchen.openDrawer(state.robot.at), 'open');
    picked = await kitchen.pickUp('apple');
  }
  if (!picked.success) throw new Error('pick up: ' + picked.error);
  await must(kitchen.bringToUser('apple'), 'bring');
  await must(kitchen.putDown('apple'), 'put down');
}`;
// Never finishes by itself: only the stop signal (or the deadline) ends it.
// Never ends (a tight loop of host calls would hit the sandbox's call-rate limit and fail at once).
const ENDLESS = `async function bringAppleToUser(kitchen) { await kitchen.observe(); await new Promise(() => {}); }`;
const answer = (code: string) => JSON.stringify({ explanation: 'bring the apple', plan: 'find, pick up, bring, put down', code });

describe('model-server faults and stops: the learner (kitchen)', function () {
  this.timeout(60_000);
  let dir: string;
  let library: SkillLibrary;
  let memory: EpisodicMemory;
  const runtime = new SkillRuntime({ memoryMb: 64 });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-faults-learner-'));
    library = await SkillLibrary.open(join(dir, 'library'), { logger: { warn() {}, info() {} } as never });
    memory = EpisodicMemory.open({ dir });
  });
  afterEach(async () => {
    memory.close();
    await library.close();
    rmSync(dir, { recursive: true, force: true });
  });
  after(() => runtime.close());

  async function learner(baseUrl: string, maxOutageMs: number, lines: string[] = [], events: LearnerEvent[] = []) {
    const model = await createLanguageModel('openai-compatible:m', {
      baseUrl, env: {}, config: { retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 }, maxOutageMs }, report: (l) => lines.push(l),
    });
    const env = new KitchenEnvironment({ seed: 1 });
    return new VoyagerLearner({
      env, library, runtime, memory, agent: 'tester', maxRounds: 2, skillTimeoutMs: 20_000,
      curriculum: new TaskListCurriculum([TASK]),
      writer: new LlmSkillWriter(model, { envGuide: 'a kitchen' }),
      critic: new Critic(env),
      statePath: join(dir, 'state.json'),
      onEvent: (e) => events.push(e),
    });
  }

  /** Nothing in library statistics, memory or curriculum says anything failed. */
  async function assertNoFailureRecorded() {
    const state = loadState(join(dir, 'state.json'), 'tester');
    assert.deepEqual(state.failed, []);
    assert.equal(memory.count({ success: false }), 0, 'no failed attempt in episodic memory');
    for (const s of await library.list({ allVersions: true })) assert.equal(s.stats.attempts, s.stats.successes, `${s.name} has no failed run`);
  }

  it('429 with Retry-After and a 503 while writing: retried, learned in round 1, nothing recorded as failed', async () => {
    const server = await FakeLlmServer.start({ replies: [{ status: 429, retryAfter: '0' }, { status: 503 }, answer(GOOD)] });
    try {
      const summary = await (await learner(server.url, 0)).learn({ iterations: 1 });
      assert.equal(summary.results[0]!.success, true);
      assert.equal(summary.results[0]!.rounds, 1);
      assert.equal(server.to('/v1/chat/completions').length, 3, 'attempts: 3 per request');
      const skill = await library.get('bringAppleToUser');
      assert.deepEqual([skill?.stats.attempts, skill?.stats.successes], [1, 1]);
      assert.deepEqual(loadState(join(dir, 'state.json'), 'tester').completed, [TASK.description]);
      await assertNoFailureRecorded();
    } finally {
      await server.close();
    }
  });

  it('a model down longer than the pause: the provider error ends the run, the task is interrupted (not failed), and is learned once the model is back', async () => {
    const probe = await FakeLlmServer.start();
    const port = Number(new URL(probe.url).port);
    await probe.close(); // connection refused from now on
    const events: LearnerEvent[] = [];
    const down = await learner(`http://127.0.0.1:${port}`, 300, [], events);
    await assert.rejects(down.learn({ iterations: 1 }), (e: unknown) => e instanceof ProviderError && e.code === 'E_LLM_UNAVAILABLE' && /connection refused/.test(e.message));
    const state = loadState(join(dir, 'state.json'), 'tester');
    assert.deepEqual(state.interrupted, [TASK.description]);
    assert.equal(state.iterations, 0, 'an interrupted attempt is no iteration');
    assert.equal(await library.count(), 0);
    assert.equal(memory.count({}), 0, 'nothing ran, nothing remembered');
    const done = events.find((e) => e.type === 'done');
    assert.ok(done && done.type === 'done' && /language model is unavailable/.test(done.interrupted ?? ''));
    await assertNoFailureRecorded();

    const back = await FakeLlmServer.start({ port, replies: [answer(GOOD)] });
    try {
      const summary = await (await learner(back.url, 300)).learn({ iterations: 1 });
      assert.equal(summary.results[0]!.success, true, 'the interrupted task is tried again');
      const after = loadState(join(dir, 'state.json'), 'tester');
      assert.deepEqual(after.completed, [TASK.description]);
      assert.deepEqual(after.interrupted, []);
      await assertNoFailureRecorded();
    } finally {
      await back.close();
    }
  });

  it('the model goes away and comes back: the learner pauses, resumes, and reports one line for each', async () => {
    const probe = await FakeLlmServer.start();
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const lines: string[] = [];
    let back: FakeLlmServer | undefined;
    const restart = setTimeout(() => void FakeLlmServer.start({ port, replies: [answer(GOOD)] }).then((s) => (back = s)), 1500);
    try {
      const summary = await (await learner(`http://127.0.0.1:${port}`, 30_000, lines)).learn({ iterations: 1 });
      assert.equal(summary.results[0]!.success, true);
      assert.equal(summary.results[0]!.rounds, 1, 'the outage cost no round');
      assert.equal(lines.length, 2, lines.join('\n'));
      assert.match(lines[0]!, /openai-compatible:m \(the OpenAI-compatible server at .*\) is unavailable \(connection refused\): retrying in [\d.]+ s; the agent is paused while it is down \(up to 30 s\)/);
      assert.match(lines[1]!, /answers again after [\d.]+ s \(\d+ failed requests\); resuming/);
      await assertNoFailureRecorded();
    } finally {
      clearTimeout(restart);
      await back?.close();
    }
  });

  it('a critic model that answers garbage judged nothing: the task is interrupted, no failed run recorded', async () => {
    const server = await FakeLlmServer.start({ replies: [answer(GOOD), 'no idea', 'still no JSON', 'nope'] });
    try {
      const model = await createLanguageModel('openai-compatible:m', { baseUrl: server.url, env: {}, config: { retry: { attempts: 1 } } });
      const env = new KitchenEnvironment({ seed: 1 });
      const l = new VoyagerLearner({
        env, library, runtime, memory, agent: 'tester', maxRounds: 2, skillTimeoutMs: 20_000,
        curriculum: new TaskListCurriculum([{ description: TASK.description }]), // no goal: the critic model decides
        writer: new LlmSkillWriter(model, { envGuide: 'a kitchen' }),
        critic: new Critic(env, model),
        statePath: join(dir, 'state.json'),
      });
      const summary = await l.learn({ iterations: 1 });
      assert.match(summary.results[0]!.interrupted ?? '', /the critic gave no valid verdict/);
      assert.deepEqual(loadState(join(dir, 'state.json'), 'tester').interrupted, [TASK.description]);
      assert.equal(memory.count({}), 0);
      assert.equal(await library.count(), 0);
      await assertNoFailureRecorded();
    } finally {
      await server.close();
    }
  });

  it('an environment that keeps dropping: each attempt is interrupted, and after 3 in a row the team stops instead of spinning', async () => {
    class DroppingKitchen extends KitchenEnvironment {
      interruptedSince(): string | null {
        return 'the connection to the server dropped';
      }
    }
    const env = new DroppingKitchen({ seed: 1 });
    const writer = { id: 'fixed', write: async () => ({ name: 'bringAppleToUser', code: GOOD, explanation: '', plan: '' }) };
    const l = new VoyagerLearner({
      env, library, runtime, memory, agent: 'tester', maxRounds: 2, skillTimeoutMs: 20_000,
      curriculum: new TaskListCurriculum([TASK]), writer, critic: new Critic(env), statePath: join(dir, 'state.json'),
    });
    const results = await new LearningTeam([{ name: 'tester', learner: l }], { library }).learn({ rounds: 1000 });
    const mine = results.get('tester')!;
    assert.equal(mine.length, 3);
    assert.ok(mine.every((r) => /the environment was interrupted: the connection to the server dropped/.test(r.interrupted ?? '')));
    assert.equal(memory.count({}), 0);
    assert.equal(await library.count(), 0);
    await assertNoFailureRecorded();
  });

  it('stopped mid-skill: the skill is aborted, learn returns within 2 s, the task is interrupted, not failed', async () => {
    const server = await FakeLlmServer.start({ replies: [answer(ENDLESS)] });
    try {
      const controller = new AbortController();
      const l = await learner(server.url, 0);
      const running = l.learn({ iterations: 1, signal: controller.signal });
      await new Promise((r) => setTimeout(r, 1500));
      const stoppedAt = Date.now();
      controller.abort(new Error('SIGTERM'));
      const summary = await running;
      assert.ok(Date.now() - stoppedAt < 2000, `learn returned ${Date.now() - stoppedAt} ms after the stop`);
      assert.match(summary.results[0]!.interrupted ?? '', /stopped/);
      const state = loadState(join(dir, 'state.json'), 'tester');
      assert.deepEqual(state.interrupted, [TASK.description]);
      assert.equal(memory.count({}), 0);
      await assertNoFailureRecorded();
    } finally {
      await server.close();
    }
  });
});
