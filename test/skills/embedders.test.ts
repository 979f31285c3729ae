import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkillLibrary } from '../../skills/library.js';
import { ollamaEmbedder, openAIEmbedder } from '../../skills/langchain-embedder.js';
import { embedderFromSpec } from '../../skills/embedder-spec.js';
import { FakeLlmServer, hashedEmbedding } from '../support/openai-server.js';
import { collectingLogger } from './helpers.js';

const SKILLS = [
  { name: 'boilWater', env: 'kitchen', description: 'boil water in the pot', code: 'async function boilWater(r) {}' },
  { name: 'mineWoodLog', env: 'minecraft', description: 'mine a wood log from a tree', code: 'async function mineWoodLog(bot) {}' },
  { name: 'craftTable', env: 'minecraft', description: 'craft a crafting table from planks', code: 'async function craftTable(bot) {}' },
];

describe('skills/langchain-embedder (OpenAI and Ollama wire formats on a local server)', function () {
  this.timeout(30_000);
  let server: FakeLlmServer;
  const dirs: string[] = [];
  before(async () => (server = await FakeLlmServer.start({ embeddingDim: 48 })));
  after(async () => {
    await server.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('OpenAIEmbeddings through a baseURL: probes dim, returns the server vectors normalised, drives the library', async () => {
    const e = await openAIEmbedder({ model: 'embed-small', baseURL: server.openaiBaseUrl, apiKey: 'test' });
    assert.equal(e.dim, 48);
    assert.equal(e.id, 'openai:embed-small:d48');
    const [v] = await e.embed(['mine a wood log']);
    const expected = hashedEmbedding('mine a wood log', 48);
    expected.forEach((x, i) => assert.ok(Math.abs(x - v![i]!) < 1e-5));
    assert.ok(server.requests.some((r) => r.path === '/v1/embeddings' && r.body.model === 'embed-small'));

    const dir = mkdtempSync(join(tmpdir(), 'sf-emb-'));
    dirs.push(dir);
    let lib = await SkillLibrary.open(dir, { logger: collectingLogger() });
    await lib.addMany(SKILLS);
    await lib.close();
    const log = collectingLogger();
    lib = await SkillLibrary.open(dir, { embedder: e, logger: log });
    assert.match(log.warnings[0] ?? '', /now uses openai:embed-small:d48/);
    assert.equal((await lib.search('wood log tree', 1))[0]?.skill.name, 'mineWoodLog');
    await lib.close();
  });

  it('OllamaEmbeddings through /api/embed', async () => {
    const e = await ollamaEmbedder({ model: 'nomic-embed-text', baseUrl: server.url });
    assert.equal(e.dim, 48);
    const [v] = await e.embed(['boil water']);
    const expected = hashedEmbedding('boil water', 48);
    expected.forEach((x, i) => assert.ok(Math.abs(x - v![i]!) < 1e-5));
    assert.ok(server.requests.some((r) => r.path === '/api/embed'));
  });

  it('a dead server gives a clear error with a hint', async () => {
    const dead = `http://127.0.0.1:${(await import('../../core/net.js').then((m) => m.freePort()))}/v1`;
    await assert.rejects(openAIEmbedder({ model: 'm', baseURL: dead, apiKey: 'x', maxRetries: 0 }), (e: unknown) => {
      assert.match(String((e as Error).message), /embedding model openai:m failed/);
      assert.match(String((e as { hint?: string }).hint), /check the server URL/);
      return true;
    });
  });
});

describe('skills/embedder-spec', () => {
  it('reads hashed, openai, ollama and onnx specs, and refuses others with a hint', async () => {
    assert.equal((await embedderFromSpec(undefined)).dim, 128);
    assert.equal((await embedderFromSpec('hashed:64')).dim, 64);
    await assert.rejects(embedderFromSpec('bogus'), /cannot read embedder spec 'bogus'/);
    await assert.rejects(embedderFromSpec('hashed:x'), /cannot read embedder spec/);
    await assert.rejects(embedderFromSpec('onnx:/nonexistent/model-dir'), /no model\.onnx in/);
    const server = await FakeLlmServer.start({ embeddingDim: 16 });
    try {
      assert.equal((await embedderFromSpec(`openai:e@${server.openaiBaseUrl}`)).id, 'openai:e:d16');
      assert.equal((await embedderFromSpec(`ollama:e@${server.url}`)).id, 'ollama:e:d16');
    } finally {
      await server.close();
    }
  });
});
