/**
 * `skillforge saycan` (kitchen) and `skillforge evolve --llm` (kitchen) against a model server that
 * fails: retried per the policy, the run completes when the server recovers; when it does not, the
 * command ends with the provider's error (exit 69 from bin) and nothing is recorded as failed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EpisodicMemory } from '../../memory/episodic.js';
import { SkillLibrary } from '../../skills/library.js';
import { ProviderError } from '../../agents/llm/errors.js';
import { exitCodeFor } from '../../bin/signals.js';
import { runCli as cli } from '../support/cli.js';
import { FakeLlmServer } from '../support/openai-server.js';
import { appleFetchLogprob as logprob, preferring, scriptedLogprobModel } from '../support/saycan-models.js';
import { KitchenEnvironment } from '../../envs/kitchen/index.js';
import { SayCanAgent } from '../../agents/saycan/agent.js';

describe('model-server faults: saycan and evolve (kitchen)', function () {
  this.timeout(120_000);
  let server: FakeLlmServer;
  let dir: string;
  before(async () => {
    server = await FakeLlmServer.start({ logprob });
    dir = mkdtempSync(join(tmpdir(), 'sf-faults-saycan-'));
  });
  beforeEach(() => server.reset());
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const llm = (url = server.url) => ['--llm', 'openai-compatible:test-model', '--llm-base-url', url, '--no-llm-cache'];
  const memoryCount = (dataDir: string, filter: { success?: boolean } = {}) => {
    const memory = EpisodicMemory.open({ dir: dataDir });
    try {
      return memory.count({ agent: 'saycan', ...filter });
    } finally {
      memory.close();
    }
  };

  it('saycan: 429 with Retry-After, a 500, a truncated and a garbled body on the first Say score are retried; the apple is brought, memory as without faults', async () => {
    const dataDir = join(dir, 'retried');
    server.fail({ status: 429, retryAfter: '1' }, { status: 500 }, { fault: 'truncate' }, { fault: 'garbled' });
    const { out, code } = await cli(['--data-dir', dataDir, 'saycan', 'bring me an apple', '--seed', '3', '--llm-retries', '5', ...llm()]);
    assert.equal(code, undefined, out);
    assert.match(out, /task: SUCCESS \(the user has the apple\)/);
    const scoring = server.to('/v1/completions');
    assert.equal(new Set(scoring.slice(0, 5).map((r) => JSON.stringify(r.body))).size, 1, 'the first request was sent 5 times (4 faults, then answered)');
    assert.ok(scoring[1]!.at - scoring[0]!.at >= 950, 'Retry-After: 1 was honoured on the scoring endpoint');
    assert.match(out, /Say by logprobs/, 'a garbled reply did not switch Say scoring off log-probabilities');
    assert.equal(memoryCount(dataDir), 4, 'the same 4 steps as a run without faults');
    assert.equal(memoryCount(dataDir, { success: false }), 0);
  });

  it('saycan: a refused connection ends with the provider error (exit 69), nothing executed or remembered', async () => {
    const down = await FakeLlmServer.start();
    const url = down.url;
    await down.close();
    const dataDir = join(dir, 'refused');
    await assert.rejects(cli(['--data-dir', dataDir, 'saycan', 'bring me an apple', '--llm-retries', '2', '--llm-max-outage', '0', ...llm(url)]), (e: unknown) => {
      assert.equal((e as Error).name, 'ProviderError', String(e));
      assert.match((e as Error).message, /failed \(after 2 attempts over [\d.]+ s\): connection refused/);
      assert.match((e as ProviderError).hint ?? '', /running and reachable/);
      assert.equal(exitCodeFor(e), 69);
      return true;
    });
    assert.equal(memoryCount(dataDir), 0);
  });

  it('robot (simulated): a refused connection ends with the provider error (exit 69), the robot not moved by a guess', async () => {
    const down = await FakeLlmServer.start();
    const url = down.url;
    await down.close();
    await assert.rejects(cli(['--data-dir', join(dir, 'robot'), 'robot', 'bring me an apple', '--llm-retries', '2', '--llm-max-outage', '0', ...llm(url)]), (e: unknown) => {
      assert.equal((e as ProviderError).code, 'E_LLM_UNAVAILABLE', String(e));
      assert.equal(exitCodeFor(e), 69);
      return true;
    });
  });

  it('saycan --suite: a model that goes down ends the suite with the provider error; no instruction counted as failed', async () => {
    const dataDir = join(dir, 'suite');
    server.fail({ status: 503 }, { status: 503 });
    await assert.rejects(cli(['--data-dir', dataDir, 'saycan', '--suite', '--per-family', '1', '--llm-retries', '2', '--llm-max-outage', '0', ...llm()]), (e: unknown) => {
      assert.equal((e as ProviderError).code, 'E_LLM_UNAVAILABLE', String(e));
      return true;
    });
    assert.equal(server.to('/v1/completions').length, 2);
    assert.equal(memoryCount(dataDir), 0);
  });

  it('SayCan when the connection drops mid-step (a rosbridge restart): the step is not remembered as a failure, the loop goes on and completes', async () => {
    class DroppingKitchen extends KitchenEnvironment {
      droppedAt: number | null = null;
      override async execute(call: Parameters<KitchenEnvironment['execute']>[0], options?: Parameters<KitchenEnvironment['execute']>[1]) {
        if (this.droppedAt === null) {
          this.droppedAt = Date.now(); // the first step is cut off by the drop
          // A reconnect takes time: without it the next step could start in the same millisecond as the
          // drop and count as interrupted too (timestamps are ms since epoch; seen once on CI).
          await new Promise((resolve) => setTimeout(resolve, 5));
          return { success: false, error: 'not connected to the robot (reconnecting)', events: [], durationMs: 1 };
        }
        return super.execute(call, options);
      }
      interruptedSince(since: number): string | null {
        return this.droppedAt !== null && this.droppedAt >= since ? 'the connection to the robot dropped' : null;
      }
    }
    const memory = EpisodicMemory.open({ file: ':memory:' });
    try {
      const env = new DroppingKitchen({ seed: 3 });
      const model = scriptedLogprobModel(preferring('find the apple', 'pick up the apple', 'bring the apple to you', 'put down the apple', 'done'));
      const result = await new SayCanAgent({ env, model, memory }).run('bring me an apple', { task: { description: 'bring me an apple', goal: { userHas: 'apple' } } });
      assert.equal(result.check?.success, true, result.check?.reason);
      assert.equal(result.steps[0]!.outcome?.success, false, 'the trace shows the cut-off step');
      assert.equal(memory.count({ success: false }), 0, 'but memory holds no failure for it');
      assert.equal(memory.count({}), result.steps.filter((s) => s.outcome).length - 1);
    } finally {
      memory.close();
    }
  });

  const proposal = {
    skills: [
      {
        name: 'fetchForUser',
        description: 'Find an object, pick it up, go to the user and hand it over.',
        params: [{ name: 'object', like: 'pick up.object' }],
        steps: [
          { skill: 'find', args: { object: { param: 'object' } } },
          { skill: 'pick up', args: { object: { param: 'object' } } },
          { skill: 'go to', args: { location: { value: 'user' } } },
          { skill: 'put down', args: { object: { param: 'object' } } },
        ],
      },
    ],
  };
  const evolveArgs = (dataDir: string) => ['--data-dir', dataDir, 'evolve', '--episodes', '6', '--reflect-every', '6', '--held-out', '2', '--no-memory', '--llm-retries', '3', '--llm-max-outage', '0'];

  it('evolve --llm: 429 then 500 on the reflection request are retried; the composite is proposed and verified', async () => {
    const dataDir = join(dir, 'evolve-ok');
    server.reply({ status: 429, retryAfter: '0' }, { status: 500 }, JSON.stringify(proposal));
    const { out, code } = await cli([...evolveArgs(dataDir), ...llm()]);
    assert.equal(code, undefined, out);
    assert.equal(server.to('/v1/chat/completions').length, 3);
    assert.match(out, /\+ fetchForUser v1: verified on 3 fresh episodes/);
    assert.doesNotMatch(out, /\(reflection\)/);
  });

  it('evolve --llm: a model that stays down is no rejected proposal: the command ends with the provider error, no skill rejected or stored', async () => {
    const dataDir = join(dir, 'evolve-down');
    server.reply({ status: 503 }, { status: 503 }, { status: 503 });
    let printed = '';
    await assert.rejects(
      cli([...evolveArgs(dataDir), ...llm()]).catch((e) => {
        printed = String(e);
        throw e;
      }),
      (e: unknown) => (e as ProviderError).code === 'E_LLM_UNAVAILABLE' && exitCodeFor(e) === 69,
    );
    assert.equal(server.to('/v1/chat/completions').length, 3);
    assert.doesNotMatch(printed, /rejected/);
    const library = await SkillLibrary.open(join(dataDir, 'library'), { logger: { warn() {}, info() {} } as never });
    try {
      assert.equal((await library.list({ allVersions: true })).length, 0);
    } finally {
      await library.close();
    }
  });
});
