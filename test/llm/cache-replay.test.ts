import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkillforgeError } from '../../core/errors.js';
import { createLanguageModel } from '../../agents/llm/factory.js';
import type { LanguageModel } from '../../agents/llm/model.js';
import { FakeLlmServer } from '../support/openai-server.js';

const schema = { type: 'object', required: ['step'], properties: { step: { type: 'string' } } };

/** A small "agent run": chat, structured with one retry, and a Say score. */
async function run(llm: LanguageModel) {
  const greeting = await llm.chat([{ role: 'user', content: 'hello' }]);
  const plan = await llm.structured<{ step: string }>([{ role: 'user', content: 'plan' }], schema);
  const say = await llm.scoreOptions('Robot: I would', [' pick up the apple', ' open the drawer']);
  return { greeting, plan, say };
}

describe('agents/llm cache, transcripts and replay', () => {
  let server: FakeLlmServer;
  let dir: string;
  before(async () => {
    server = await FakeLlmServer.start({ logprob: (_c, t) => (t.includes('apple') ? -0.5 : -1.5) });
    dir = mkdtempSync(join(tmpdir(), 'sf-llm-cache-'));
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  it('a cache hit answers from disk without a second request, also in a new process-like instance', async () => {
    const dataDir = join(dir, 'data1');
    server.reply('cached answer');
    const first = await createLanguageModel('openai-compatible:m', { baseUrl: server.url, env: {}, dataDir });
    assert.equal(await first.chat([{ role: 'user', content: 'q' }], { temperature: 0 }), 'cached answer');
    const second = await createLanguageModel('openai-compatible:m', { baseUrl: server.url, env: {}, dataDir });
    assert.equal(await second.chat([{ role: 'user', content: 'q' }], { temperature: 0 }), 'cached answer');
    assert.equal(server.to('/v1/chat/completions').length, 1);
    assert.deepEqual(second.usage(), { calls: 0, promptTokens: 0, completionTokens: 0, cacheHits: 1 });
    // Different parameters are a different key.
    server.reply('warmer answer');
    assert.equal(await second.chat([{ role: 'user', content: 'q' }], { temperature: 0.7 }), 'warmer answer');
    assert.equal(server.to('/v1/chat/completions').length, 2);
  });

  it('--no-llm-cache (cache: false) always asks the provider', async () => {
    const dataDir = join(dir, 'data2');
    server.reply('a', 'b');
    const llm = await createLanguageModel('openai-compatible:m', { baseUrl: server.url, env: {}, dataDir, cache: false });
    assert.equal(await llm.chat([{ role: 'user', content: 'q' }]), 'a');
    assert.equal(await llm.chat([{ role: 'user', content: 'q' }]), 'b');
  });

  it('record -> replay reproduces a run with no server, and a diverging run fails loudly', async () => {
    const transcript = join(dir, 'run.jsonl');
    server.reply('hi there', 'not json', '{"step": "go to the kitchen"}');
    const live = await createLanguageModel('openai-compatible:m', { baseUrl: server.url, env: {}, record: transcript });
    const recorded = await run(live);
    assert.equal(recorded.say.method, 'logprobs');
    assert.equal(live.usage().calls, 4);
    const lines = readFileSync(transcript, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines[0].type, 'header');
    assert.deepEqual(lines.slice(1).map((l) => l.kind), ['chat', 'chat', 'chat', 'logprobs']);

    const offline = await createLanguageModel(`replay:${transcript}`, { env: {} });
    const before = server.requests.length;
    const replayed = await run(offline);
    assert.deepEqual(replayed, recorded);
    assert.equal(server.requests.length, before, 'replay sent nothing');
    assert.equal(offline.id, 'openai-compatible:m');
    assert.deepEqual(offline.usage(), { calls: 0, promptTokens: 0, completionTokens: 0, cacheHits: 4 });

    const again = await createLanguageModel(`replay:${transcript}`, { env: {} });
    await assert.rejects(again.chat([{ role: 'user', content: 'something new' }]), (e: unknown) => {
      assert.equal((e as SkillforgeError).code, 'E_REPLAY_MISS');
      assert.match((e as Error).message, /request #1 was not recorded \(chat ending "something new"\)/);
      return true;
    });
  });

  it('replays the fallback path too (a provider without logprobs), including the learned failure', async () => {
    const chatOnly = await FakeLlmServer.start({ completions: false });
    try {
      const transcript = join(dir, 'fallback.jsonl');
      chatOnly.reply({ text: '1', topLogprobs: { '1': -0.2, '2': -1.9 } });
      const live = await createLanguageModel('openai-compatible:m', { baseUrl: chatOnly.url, env: {}, record: transcript });
      const a = await live.scoreOptions('p', ['x', 'y']);
      const b = await (await createLanguageModel(`replay:${transcript}`, { env: {} })).scoreOptions('p', ['x', 'y']);
      assert.equal(a.method, 'choice');
      assert.deepEqual(b, a);
    } finally {
      await chatOnly.close();
    }
  });

  it('a damaged transcript is rejected with the line number', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"type":"header","version":1,"model":"m:x","provider":"m","chatLogprobs":false,"continuationLogprobs":false}\n{"type":"call","seq":1}\n');
    await assert.rejects(createLanguageModel(`replay:${bad}`, { env: {} }), /invalid transcript line .*bad.jsonl:2/);
    await assert.rejects(createLanguageModel(`replay:${join(dir, 'missing.jsonl')}`, { env: {} }), /no transcript at/);
  });
});
