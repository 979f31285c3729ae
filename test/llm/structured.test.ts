import assert from 'node:assert/strict';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { extractJson } from '../../agents/llm/json.js';
import { ProviderError, StructuredOutputError } from '../../agents/llm/errors.js';
import { createLanguageModel, fromLangchain } from '../../agents/llm/factory.js';
import { FakeLlmServer } from '../support/openai-server.js';

const planSchema = {
  type: 'object',
  required: ['skill', 'args'],
  additionalProperties: false,
  properties: { skill: { type: 'string', enum: ['pick', 'place'] }, args: { type: 'object' } },
};
const ask = [{ role: 'user' as const, content: 'what next?' }];

describe('agents/llm structured output and provider failures', () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await FakeLlmServer.start();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());
  const model = (timeoutMs = 2000) =>
    createLanguageModel('openai-compatible:test', { baseUrl: server.url, env: {}, config: { retry: { attempts: 3, baseDelayMs: 5 }, timeoutMs } });

  it('extracts JSON from prose and code fences', () => {
    assert.deepEqual(extractJson('{"a":1}'), { ok: true, value: { a: 1 } });
    assert.deepEqual(extractJson('Sure! Here it is:\n```json\n{"a": [1, 2]}\n```\nAnything else?'), { ok: true, value: { a: [1, 2] } });
    assert.deepEqual(extractJson('I pick {"skill": "pick", "note": "a } in a string"} because it is near.'), {
      ok: true,
      value: { skill: 'pick', note: 'a } in a string' },
    });
    assert.equal(extractJson('no json here').ok, false);
    assert.match((extractJson('{"a": 1,,}') as { error: string }).error, /no complete, valid JSON/);
  });

  it('malformed JSON, then a schema violation, then valid: retried with the error fed back', async () => {
    server.reply('{"skill": "pick", "args": {', '```json\n{"skill": "fly", "args": {}}\n```', 'OK: {"skill": "pick", "args": {"object": "apple"}}');
    const llm = await model();
    const plan = await llm.structured<{ skill: string }>(ask, planSchema, { what: 'skill call' });
    assert.deepEqual(plan, { skill: 'pick', args: { object: 'apple' } });
    const reqs = server.to('/v1/chat/completions');
    assert.equal(reqs.length, 3);
    assert.match(reqs[0]!.body.messages[0].content, /JSON Schema/);
    const second = reqs[1]!.body.messages;
    assert.equal(second.at(-2).role, 'assistant');
    assert.match(second.at(-1).content, /rejected: .*JSON/);
    assert.match(reqs[2]!.body.messages.at(-1).content, /\/skill must be equal to one of the allowed values/);
  });

  it('persistent schema violations: a clear error listing every attempt, nothing returned', async () => {
    server.reply('{"skill": "jump", "args": {}}', '{"skill": "pick"}', 'I cannot answer in JSON.');
    const llm = await model();
    let returned: unknown = 'nothing';
    await assert.rejects(
      (async () => {
        returned = await llm.structured(ask, planSchema, { what: 'skill call', retries: 2 });
      })(),
      (e: unknown) => {
        assert.ok(e instanceof StructuredOutputError);
        assert.equal(e.code, 'E_LLM_OUTPUT');
        assert.equal(e.attempts.length, 3);
        assert.match(e.message, /no valid skill call after 3 attempts/);
        assert.match(e.message, /attempt 1: .*allowed values/);
        assert.match(e.message, /attempt 2: .*must have required property 'args'/);
        assert.match(e.message, /attempt 3: the answer contains no JSON value/);
        return true;
      },
    );
    assert.equal(returned, 'nothing');
  });

  it('HTTP 500 is retried with backoff and then succeeds', async () => {
    server.reply({ status: 500 }, { status: 503 }, 'recovered');
    const llm = await model();
    assert.equal(await llm.chat(ask), 'recovered');
    assert.equal(llm.usage().calls, 3);
  });

  it('HTTP 500 every time: retried, then a clear provider error', async () => {
    server.reply({ status: 500, message: 'boom' }, { status: 500, message: 'boom' }, { status: 500, message: 'boom' });
    const llm = await model();
    await assert.rejects(llm.chat(ask), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.equal(e.attempts, 3);
      assert.equal(e.status, 500);
      assert.match(e.message, /openai-compatible:test chat request failed \(after 3 attempts over [\d.]+ s\): HTTP 500: boom/);
      assert.match(e.hint!, /reachable/);
      return true;
    });
    assert.equal(server.to('/v1/chat/completions').length, 3);
  });

  it('time-outs are retried, then a clear time-out error', async () => {
    server.reply({ text: 'late', delayMs: 1000 }, { text: 'late', delayMs: 1000 }, { text: 'late', delayMs: 1000 });
    const llm = await model(150);
    await assert.rejects(llm.chat(ask), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.equal(e.code, 'E_LLM_TIMEOUT');
      assert.match(e.message, /no answer within 0.15 s/);
      assert.match(e.hint!, /timeoutMs/);
      return true;
    });
    assert.equal(server.to('/v1/chat/completions').length, 3);
  });

  it('a time-out then an answer succeeds', async () => {
    server.reply({ text: 'late', delayMs: 1000 }, '{"skill":"place","args":{}}');
    const llm = await model(150);
    assert.deepEqual(await llm.structured(ask, planSchema), { skill: 'place', args: {} });
  });

  it('a refused key (401) is not retried and says to check the key', async () => {
    server.reply({ status: 401, message: 'Incorrect API key' }, 'never reached');
    const llm = await model();
    await assert.rejects(llm.chat(ask), (e: unknown) => {
      assert.equal((e as ProviderError).attempts, 1);
      assert.match((e as ProviderError).hint!, /API key/);
      return true;
    });
    assert.equal(server.remaining(), 1);
  });

  it('an unreachable server is retried, then the hint names where it was looked for', async () => {
    const { freePort } = await import('../../core/net.js');
    const port = await freePort();
    const llm = await createLanguageModel('ollama:llama3.1', { baseUrl: `http://127.0.0.1:${port}`, env: {}, config: { retry: { attempts: 2, baseDelayMs: 5 } } });
    await assert.rejects(llm.chat(ask), (e: unknown) => {
      assert.equal((e as ProviderError).attempts, 2);
      assert.match((e as ProviderError).hint!, new RegExp(`Ollama server at http://127.0.0.1:${port}`));
      return true;
    });
  });

  it('an abort signal stops a request at once, without retries', async () => {
    server.reply({ text: 'slow', delayMs: 2000 }, 'never');
    const llm = await model();
    const controller = new AbortController();
    setTimeout(() => controller.abort('agent stopped'), 50);
    const started = Date.now();
    await assert.rejects(llm.chat(ask, { signal: controller.signal }), (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'E_ABORTED');
      return true;
    });
    assert.ok(Date.now() - started < 1000);
    assert.equal(server.to('/v1/chat/completions').length, 1);
  });

  it("works with langchain's FakeListChatModel too", async () => {
    const llm = await fromLangchain(new FakeListChatModel({ responses: ['nope', '{"skill":"pick","args":{"x":1}}'] }), { id: 'fake:list' });
    assert.deepEqual(await llm.structured(ask, planSchema), { skill: 'pick', args: { x: 1 } });
    assert.equal(llm.usage().calls, 2);
  });
});
