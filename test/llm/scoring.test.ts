import assert from 'node:assert/strict';
import { createLanguageModel } from '../../agents/llm/factory.js';
import { rankingScores, softmax, voteScores } from '../../agents/llm/scoring.js';
import { FakeLlmServer, tokenize } from '../support/openai-server.js';

const prompt = 'Human: bring me an apple\nRobot: I would 1.';
const options = [' find a sponge', ' pick up the apple', ' go to the drawer'];

describe('agents/llm scoreOptions (SayCan Say)', () => {
  let server: FakeLlmServer;
  let chatOnly: FakeLlmServer;
  before(async () => {
    // The server's "model" likes tokens that mention the apple, and dislikes everything else.
    server = await FakeLlmServer.start({ logprob: (context, token) => (/apple|pick/.test(token) ? -0.2 : -2) - (context.length > 1000 ? 1 : 0) });
    chatOnly = await FakeLlmServer.start({ completions: false });
  });
  after(async () => {
    await server.close();
    await chatOnly.close();
  });
  beforeEach(() => {
    server.reset();
    chatOnly.reset();
  });
  const quick = { retry: { attempts: 2, baseDelayMs: 5 } };

  it('sums echoed prompt log-probabilities of each option on /v1/completions (method logprobs)', async () => {
    const llm = await createLanguageModel('openai-compatible:m', { baseUrl: server.url, env: {}, config: quick });
    const scores = await llm.scoreOptions(prompt, options);
    assert.equal(scores.method, 'logprobs');
    const expected = options.map((o) => tokenize(prompt + o).slice(tokenize(prompt).length).reduce((s, t) => s + (/apple|pick/.test(t) ? -0.2 : -2), 0));
    scores.logScores.forEach((s, i) => assert.ok(Math.abs(s - expected[i]!) < 1e-9, `${s} vs ${expected[i]}`));
    assert.equal(scores.probabilities.indexOf(Math.max(...scores.probabilities)), 1);
    assert.ok(Math.abs(scores.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    const [req] = server.to('/v1/completions');
    assert.equal(req!.body.echo, true);
    assert.equal(req!.body.max_tokens, 0);
    assert.deepEqual(req!.body.prompt, options.map((o) => prompt + o));
    assert.equal(server.to('/v1/chat/completions').length, 0, 'no chat needed');
  });

  it("normalize: 'mean' divides by the option's token count (no bias against long options)", async () => {
    const llm = await createLanguageModel('openai-compatible:m', { baseUrl: server.url, env: {}, config: { ...quick, normalize: 'mean' } });
    const scores = await llm.scoreOptions('Robot: I would', [' go', ' pick up the apple']);
    // ' go': one token at -2; ' pick up the apple': -0.2, -2, -2, -0.2 → mean -1.1
    assert.ok(Math.abs(scores.logScores[0]! + 2) < 1e-9);
    assert.ok(Math.abs(scores.logScores[1]! + 1.1) < 1e-9);
  });

  it('a server that rejects max_tokens 0 is asked again with 1, and the generated token is not counted', async () => {
    const strict = await FakeLlmServer.start({ rejectZeroMaxTokens: true, logprob: () => -1 });
    try {
      const llm = await createLanguageModel('openai-compatible:m', { baseUrl: strict.url, env: {}, config: quick });
      const scores = await llm.scoreOptions('Robot: I would', [' pick up the apple', ' go']);
      assert.equal(scores.method, 'logprobs');
      assert.deepEqual(scores.logScores, [-4, -1]);
      assert.deepEqual(strict.to('/v1/completions').map((r) => r.body.max_tokens), [0, 1]);
    } finally {
      await strict.close();
    }
  });

  it("falls back to 'choice' from chat top-logprobs when the server has no completions endpoint", async () => {
    chatOnly.reply({ text: '2', topLogprobs: { '2': -0.1, '1': -2.5, ' 3': -3 } });
    const llm = await createLanguageModel('openai-compatible:m', { baseUrl: chatOnly.url, env: {}, config: quick });
    const scores = await llm.scoreOptions(prompt, options);
    assert.equal(scores.method, 'choice');
    assert.deepEqual(scores.logScores, [-2.5, -0.1, -3]);
    const chat = chatOnly.to('/v1/chat/completions')[0]!.body;
    assert.equal(chat.logprobs, true);
    assert.equal(chat.top_logprobs, 20);
    assert.match(chat.messages.at(-1).content, /1\. find a sponge\n2\. pick up the apple\n3\. go to the drawer/);
    // Learned once: the completions endpoint is not asked again.
    chatOnly.reply({ text: '2', topLogprobs: { '2': -0.1 } });
    await llm.scoreOptions(prompt, options);
    assert.equal(chatOnly.to('/v1/completions').length, 1);
  });

  it("falls back to 'ranking' where no log-probabilities exist (Ollama)", async () => {
    chatOnly.reply('The best order is [2, 3, 1].');
    const llm = await createLanguageModel('ollama:llama3.1', { baseUrl: chatOnly.url, env: {}, config: quick });
    const scores = await llm.scoreOptions(prompt, options);
    assert.equal(scores.method, 'ranking');
    assert.deepEqual(scores.logScores, [-2 * Math.LN2, 0, -Math.LN2]);
    assert.ok(scores.probabilities[1]! > scores.probabilities[2]! && scores.probabilities[2]! > scores.probabilities[0]!);
  });

  it("'votes' samples the choice several times, each sample its own request", async () => {
    chatOnly.reply('2', '2', 'option 3', '2', 'I choose 2');
    const llm = await createLanguageModel('ollama:llama3.1', { baseUrl: chatOnly.url, env: {}, config: { ...quick, scoring: 'votes', votes: 5 } });
    const scores = await llm.scoreOptions(prompt, options);
    assert.equal(scores.method, 'votes');
    assert.deepEqual(scores.logScores, voteScores([1, 1, 2, 1, 1], 3));
    assert.equal(chatOnly.to('/api/chat').length, 5);
    assert.ok(chatOnly.to('/api/chat').every((r) => r.body.options.temperature === 1));
  });

  it("scoring: 'logprobs' on a provider without them is a clear error", async () => {
    const llm = await createLanguageModel('ollama:llama3.1', { baseUrl: chatOnly.url, env: {}, config: { scoring: 'logprobs' } });
    await assert.rejects(llm.scoreOptions(prompt, options), /cannot score given text/);
  });

  it('the server streams OpenAI server-sent events when a client asks for them', async () => {
    // ChatOpenAI.stream() reads the SSE chunks. (Not invoke() with streaming: true: that path
    // estimates token counts with tiktoken, which fetches encodings from the internet.)
    const { ChatOpenAI } = await import('@langchain/openai');
    chatOnly.reply({ text: 'streamed, token by token', promptTokens: 5, completionTokens: 6 });
    const model = new ChatOpenAI({ model: 'm', apiKey: 'x', streamUsage: true, maxRetries: 0, configuration: { baseURL: chatOnly.openaiBaseUrl } });
    let text = '';
    let pieces = 0;
    for await (const chunk of await model.stream('go')) {
      text += typeof chunk.content === 'string' ? chunk.content : '';
      pieces++;
    }
    assert.equal(text, 'streamed, token by token');
    assert.ok(pieces > 3);
    assert.equal(chatOnly.to('/v1/chat/completions')[0]!.body.stream, true);
  });

  it('score helpers', () => {
    assert.deepEqual(rankingScores([3, 3, 9, 1], 3), [-Math.LN2, -2 * Math.LN2, 0]);
    const p = softmax([0, Math.log(3)]);
    assert.ok(Math.abs(p[1]! - 0.75) < 1e-12);
  });
});
