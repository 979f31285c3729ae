import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EpisodicMemory } from '../../memory/episodic.js';
import { runCli as cli } from '../support/cli.js';
import { FakeLlmServer } from '../support/openai-server.js';
import { appleFetchLogprob as logprob } from '../support/saycan-models.js';

describe('skillforge saycan (command line)', function () {
  this.timeout(60_000);
  let server: FakeLlmServer;
  let dataDir: string;
  before(async () => {
    server = await FakeLlmServer.start({ logprob });
    dataDir = mkdtempSync(join(tmpdir(), 'sf-saycan-'));
  });
  after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const llm = () => ['--llm', 'openai-compatible:test-model', '--llm-base-url', server.url, '--no-llm-cache'];

  it('brings an apple with a model served over HTTP, printing Say, Can and the product per step, and records memory', async () => {
    const { out, code } = await cli(['--data-dir', dataDir, 'saycan', 'bring me an apple', '--seed', '3', ...llm()]);
    assert.equal(code, undefined, out);
    assert.match(out, /step 1: \d+ candidates, Say by logprobs/);
    assert.match(out, /say\s+can\s+say×can/);
    assert.match(out, /> find the apple/);
    assert.match(out, / {3}pick up the apple\s+0\.\d+\s+0\.000/, 'the favourite is shown with Can 0');
    assert.match(out, /task: SUCCESS \(the user has the apple\)/);
    const memory = EpisodicMemory.open({ dir: dataDir });
    try {
      assert.equal(memory.count({ agent: 'saycan' }), 4);
    } finally {
      memory.close();
    }
  });

  it('--no-affordance --json: the same model fails, and says so as JSON', async () => {
    const { out, code } = await cli(['--data-dir', dataDir, 'saycan', 'bring me an apple', '--seed', '3', '--no-affordance', '--max-steps', '3', '--json', '--no-memory', ...llm()]);
    assert.equal(code, 1);
    const result = JSON.parse(out) as { stopped: string; check: { success: boolean }; steps: { chosen: { text: string; can: number } }[] };
    assert.equal(result.stopped, 'max-steps');
    assert.equal(result.check.success, false);
    assert.equal(result.steps[0]!.chosen.text, 'pick up the apple');
    assert.equal(result.steps[0]!.chosen.can, 1);
  });

  it('without a model it says what is needed and how to point at one', async () => {
    const saved = process.env.SKILLFORGE_LLM;
    delete process.env.SKILLFORGE_LLM;
    try {
      await assert.rejects(cli(['--data-dir', dataDir, 'saycan', 'bring me an apple']), (e: Error & { hint?: string }) => {
        assert.match(e.message, /needs a language model for the Say score/);
        assert.match(e.hint ?? '', /--llm <provider:model>/);
        assert.match(e.hint ?? '', /ollama:/);
        return true;
      });
    } finally {
      if (saved !== undefined) process.env.SKILLFORGE_LLM = saved;
    }
  });

  it('--suite prints success per family', async () => {
    const { out } = await cli(['--data-dir', dataDir, 'saycan', '--suite', '--per-family', '1', '--max-steps', '1', '--no-memory', ...llm()]);
    for (const family of ['single', 'nouns', 'verbs', 'structured', 'embodiment', 'long-horizon']) assert.match(out, new RegExp(`^${family}\\s+\\d+/1 `, 'm'));
    assert.match(out, /^total\s+\d+\/6 /m);
  });
});
