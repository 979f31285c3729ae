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
import { appleFetchLogprob as logprob } from '../support/saycan-models.js';

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
