import assert from 'node:assert/strict';
import { SkillforgeError } from '../../core/errors.js';
import { createLanguageModel, parseProviderSpec } from '../../agents/llm/factory.js';
import { FakeLlmServer } from '../support/openai-server.js';

describe('agents/llm providers through the local OpenAI/Ollama server', () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await FakeLlmServer.start();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  const quick = { retry: { attempts: 2, baseDelayMs: 5 }, timeoutMs: 2000 };
  const ask = [{ role: 'user' as const, content: 'say hello' }];

  it('openai: talks the OpenAI chat format with the key from OPENAI_API_KEY', async () => {
    server.reply('hello from openai');
    const llm = await createLanguageModel('openai:gpt-4o-mini', { baseUrl: server.openaiBaseUrl, env: { OPENAI_API_KEY: 'sk-test' }, config: quick });
    assert.equal(llm.id, 'openai:gpt-4o-mini');
    assert.equal(await llm.chat(ask, { temperature: 0 }), 'hello from openai');
    const [req] = server.to('/v1/chat/completions');
    assert.equal(req!.body.model, 'gpt-4o-mini');
    assert.equal(req!.body.temperature, 0);
    assert.equal(req!.headers.authorization, 'Bearer sk-test');
    assert.deepEqual(req!.body.messages.at(-1), { role: 'user', content: 'say hello' });
  });

  it('openai-compatible: model@baseURL, and a bare host gets /v1', async () => {
    server.reply('from vllm');
    const llm = await createLanguageModel(`openai-compatible:Qwen/Qwen2.5-7B@${server.url}`, { env: {}, config: quick });
    assert.equal(await llm.chat(ask), 'from vllm');
    assert.equal(server.to('/v1/chat/completions')[0]!.body.model, 'Qwen/Qwen2.5-7B');
  });

  it('openai-compatible: base URL from --llm-base-url, no key needed', async () => {
    server.reply('from llama.cpp');
    const llm = await createLanguageModel('openai-compatible:local', { baseUrl: server.openaiBaseUrl, env: {}, config: quick });
    assert.equal(await llm.chat(ask), 'from llama.cpp');
  });

  it('ollama: streams NDJSON from /api/chat; base URL from OLLAMA_HOST without a scheme', async () => {
    server.reply('hello from ollama, streamed in pieces');
    const host = server.url.replace('http://', '');
    const llm = await createLanguageModel('ollama:llama3.1:8b', { env: { OLLAMA_HOST: host }, config: quick });
    assert.equal(await llm.chat(ask, { maxTokens: 50 }), 'hello from ollama, streamed in pieces');
    const [req] = server.to('/api/chat');
    assert.equal(req!.body.model, 'llama3.1:8b');
    assert.equal(req!.body.options.num_predict, 50);
  });

  it('anthropic: the Messages API with the key from ANTHROPIC_API_KEY, system prompt separate', async () => {
    server.reply({ text: 'hello from claude', promptTokens: 9, completionTokens: 3 });
    const llm = await createLanguageModel('anthropic:claude-3-5-haiku-latest', { baseUrl: server.url, env: { ANTHROPIC_API_KEY: 'sk-ant-test' }, config: quick });
    const text = await llm.chat([{ role: 'system', content: 'be brief' }, ...ask]);
    assert.equal(text, 'hello from claude');
    const [req] = server.to('/v1/messages');
    assert.equal(req!.headers['x-api-key'], 'sk-ant-test');
    assert.equal(req!.body.model, 'claude-3-5-haiku-latest');
    assert.match(JSON.stringify(req!.body.system), /be brief/);
    assert.deepEqual(llm.usage(), { calls: 1, promptTokens: 9, completionTokens: 3, cacheHits: 0 });
  });

  it('ollama token counts come from prompt_eval_count / eval_count', async () => {
    server.reply({ text: 'counted', promptTokens: 21, completionTokens: 4 });
    const llm = await createLanguageModel('ollama:llama3.1', { baseUrl: server.url, env: {}, config: quick });
    await llm.chat(ask);
    assert.deepEqual(llm.usage(), { calls: 1, promptTokens: 21, completionTokens: 4, cacheHits: 0 });
  });

  it('embeddings endpoints serve deterministic vectors to the langchain clients', async () => {
    const { OpenAIEmbeddings } = await import('@langchain/openai');
    const { OllamaEmbeddings } = await import('@langchain/ollama');
    const { hashedEmbedding } = await import('../support/openai-server.js');
    const openai = new OpenAIEmbeddings({ model: 'text-embedding-3-small', apiKey: 'sk-test', configuration: { baseURL: server.openaiBaseUrl } });
    const [a, b] = await openai.embedDocuments(['pick up the apple', 'open the drawer']);
    const expected = hashedEmbedding('pick up the apple');
    assert.equal(a!.length, 64);
    a!.forEach((x, i) => assert.ok(Math.abs(x - expected[i]!) < 1e-6));
    assert.notDeepEqual(a, b);
    const ollama = new OllamaEmbeddings({ model: 'nomic-embed-text', baseUrl: server.url });
    const [c] = await ollama.embedDocuments(['pick up the apple']);
    c!.forEach((x, i) => assert.ok(Math.abs(x - expected[i]!) < 1e-6));
  });

  it('the server also answers /api/generate and plain /v1/completions from the script', async () => {
    server.reply('generated', 'completed');
    const gen = await (await fetch(`${server.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'm', prompt: 'p', stream: false }) })).json() as { response: string; done: boolean };
    assert.equal(gen.response, 'generated');
    assert.equal(gen.done, true);
    const cmp = await (await fetch(`${server.openaiBaseUrl}/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', prompt: 'p' }) })).json() as { choices: Array<{ text: string }> };
    assert.equal(cmp.choices[0].text, 'completed');
    const exhausted = await fetch(`${server.openaiBaseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [] }) });
    assert.equal(exhausted.status, 418);
  });

  it('counts calls and tokens per model', async () => {
    server.reply({ text: 'one', promptTokens: 11, completionTokens: 3 }, { text: 'two', promptTokens: 7, completionTokens: 2 });
    const llm = await createLanguageModel('openai-compatible:m', { baseUrl: server.url, env: {}, config: quick });
    await llm.chat(ask);
    await llm.chat([{ role: 'user', content: 'again' }]);
    assert.deepEqual(llm.usage(), { calls: 2, promptTokens: 18, completionTokens: 5, cacheHits: 0 });
  });

  it('loads settings from a YAML config file validated by ajv', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sf-llm-'));
    const good = join(dir, 'llm.yaml');
    writeFileSync(good, `provider: openai-compatible:from-file\nbaseUrl: ${server.openaiBaseUrl}\ntemperature: 0.5\n`);
    server.reply('configured');
    const llm = await createLanguageModel(undefined, { configFile: good, env: {} });
    assert.equal(llm.id, 'openai-compatible:from-file');
    assert.equal(await llm.chat(ask), 'configured');
    assert.equal(server.to('/v1/chat/completions')[0]!.body.temperature, 0.5);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ provider: 'ollama:x', temprature: 1 }));
    await assert.rejects(createLanguageModel(undefined, { configFile: bad, env: {} }), /unknown property 'temprature'/);
  });

  describe('clear errors', () => {
    it('no model configured says how to point at one', async () => {
      await assert.rejects(createLanguageModel(undefined, { env: {} }), (e: unknown) => {
        assert.ok(e instanceof SkillforgeError);
        assert.equal(e.code, 'E_NO_LLM');
        assert.match(e.hint!, /--llm openai:gpt-4o-mini/);
        assert.match(e.hint!, /OPENAI_API_KEY/);
        assert.match(e.hint!, /ollama:/);
        return true;
      });
    });
    it('missing key names the variable to set', async () => {
      await assert.rejects(createLanguageModel('openai:gpt-4o-mini', { env: {} }), (e: unknown) => {
        assert.equal((e as SkillforgeError).code, 'E_LLM_KEY');
        assert.match((e as SkillforgeError).hint!, /set OPENAI_API_KEY/);
        return true;
      });
      await assert.rejects(createLanguageModel('anthropic:claude-3-5-haiku-latest', { env: {} }), /ANTHROPIC_API_KEY|Anthropic API key/);
    });
    it('unknown provider lists the known ones', async () => {
      await assert.rejects(createLanguageModel('gemini:pro', { env: {} }), (e: unknown) => {
        assert.match((e as Error).message, /unknown language-model provider 'gemini'/);
        assert.match((e as SkillforgeError).hint!, /openai-compatible:/);
        return true;
      });
    });
    it('openai-compatible without a URL asks for one', async () => {
      await assert.rejects(createLanguageModel('openai-compatible:m', { env: {} }), /needs the server's base URL/);
    });
    it('gguf: names the missing file, or the optional package to install', async () => {
      await assert.rejects(createLanguageModel('gguf:/nonexistent/model.gguf', { env: {} }), /no GGUF model at/);
      const { writeFileSync, mkdtempSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const file = join(mkdtempSync(join(tmpdir(), 'sf-gguf-')), 'm.gguf');
      writeFileSync(file, 'GGUF');
      await assert.rejects(createLanguageModel(`gguf:${file}`, { env: {} }), (e: unknown) => {
        assert.equal((e as SkillforgeError).code, 'E_LLM_GGUF');
        assert.match((e as SkillforgeError).hint!, /install node-llama-cpp@3\.21\.1 to use gguf:/);
        return true;
      });
    });
    it('parses the spec grammar', () => {
      assert.deepEqual(parseProviderSpec('ollama:qwen2.5:7b'), { provider: 'ollama', model: 'qwen2.5:7b' });
      assert.deepEqual(parseProviderSpec('openai-compatible:org/m@http://h:8000/v1'), {
        provider: 'openai-compatible',
        model: 'org/m',
        baseUrl: 'http://h:8000/v1',
      });
      assert.throws(() => parseProviderSpec('openai:'), /names no model/);
    });
  });
});
