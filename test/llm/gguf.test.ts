/**
 * The gguf: path on a real GGUF file built by test/support/tiny-gguf.ts, whose next-token
 * log-probabilities are known exactly. node-llama-cpp is an optional install (~730 MB of
 * prebuilt binaries), so this suite is skipped, saying why, where it is absent. Run it with
 *   npm install node-llama-cpp@3.21.1   (or SKILLFORGE_NODE_LLAMA_CPP=<its package folder>)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLanguageModel } from '../../agents/llm/factory.js';
import type { ChatLanguageModel } from '../../agents/llm/language-model.js';
import { buildTinyGguf } from '../support/tiny-gguf.js';

describe('agents/llm gguf: through node-llama-cpp on a tiny built model', function () {
  this.timeout(60_000);
  const tiny = buildTinyGguf({
    words: ['Robot', 'pick', 'up', 'the', 'apple', 'drawer', 'open'],
    bigrams: [
      ['▁the', '▁apple', 8],
      ['▁the', '▁drawer', 2],
      ['▁pick', '▁up', 6],
      ['▁up', '▁the', 6],
    ],
  });
  let llm: ChatLanguageModel | undefined;

  before(async function () {
    const file = join(mkdtempSync(join(tmpdir(), 'sf-gguf-')), 'tiny.gguf');
    writeFileSync(file, tiny.bytes);
    try {
      llm = await createLanguageModel(`gguf:${file}`, { env: { SKILLFORGE_NODE_LLAMA_CPP: process.env.SKILLFORGE_NODE_LLAMA_CPP }, config: { gguf: { gpu: false, contextSize: 128 } } });
    } catch (e) {
      if ((e as { code?: string }).code === 'E_LLM_GGUF' && /not installed/.test((e as Error).message)) {
        console.log('      (skipped: node-llama-cpp@3.21.1 is not installed; it is optional)');
        this.skip();
      }
      throw e;
    }
  });
  after(async () => {
    await llm?.close();
  });

  it('scores options with the exact log-probabilities of the model (method logprobs)', async () => {
    const scores = await llm!.scoreOptions('Robot: pick up the', [' apple', ' drawer', ' pick up the apple']);
    assert.equal(scores.method, 'logprobs');
    const the = tiny.id('▁the');
    const expected = [
      tiny.expectedLogprob(the, tiny.id('▁apple')),
      tiny.expectedLogprob(the, tiny.id('▁drawer')),
      tiny.expectedLogprob(the, tiny.id('▁pick')) + tiny.expectedLogprob(tiny.id('▁pick'), tiny.id('▁up')) +
        tiny.expectedLogprob(tiny.id('▁up'), the) + tiny.expectedLogprob(the, tiny.id('▁apple')),
    ];
    scores.logScores.forEach((s, i) => assert.ok(Math.abs(s - expected[i]!) < 1e-4, `option ${i}: ${s} vs ${expected[i]}`));
    assert.equal(scores.probabilities.indexOf(Math.max(...scores.probabilities)), 0);
  });

  it('chats through the model and counts its tokens', async () => {
    const text = await llm!.chat([{ role: 'user', content: 'pick up the' }], { maxTokens: 4, temperature: 0 });
    assert.equal(typeof text, 'string');
    const usage = llm!.usage();
    assert.equal(usage.calls, 2);
    assert.ok(usage.promptTokens > 0);
    assert.ok(usage.completionTokens > 0 && usage.completionTokens <= 4, `completion tokens ${usage.completionTokens}`);
  });
});
