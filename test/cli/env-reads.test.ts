/**
 * Environment variables are read by the command line only (bin/): the library code under agents/,
 * skills/, memory/, envs/, robots/, ui/, fleet/ and core/ takes every setting as an option, so an
 * embedding program decides what its parts see and a test never inherits a developer's shell.
 *
 * @example
 *   SKILLFORGE_LIBRARY=postgres://... skillforge skills list   // bin/ reads it, passes { library }
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLanguageModel } from '../../agents/llm/factory.js';
import { runCli } from '../support/cli.js';
import { FakeLlmServer } from '../support/openai-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const libraryFolders = ['agents', 'skills', 'memory', 'envs', 'robots', 'ui', 'fleet', 'core', 'kits'];
/** Reads allowed, each with its reason; the list may only shrink. */
const known = new Set([
  'fleet/queue.ts', // SKILLFORGE_FLEET_DEBUG: an undocumented debugging switch (still to move)
  'skills/runtime/engine.js', // NODE_OPTIONS: how this very process was started (--no-node-snapshot), not a setting
]);

function sources(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

describe('environment variables are read in bin/ only', () => {
  it('no library module reads process.env', () => {
    const readers = libraryFolders
      .flatMap((folder) => sources(join(root, folder)))
      .filter((file) => /process\.env\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file).split('\\').join('/'))
      .filter((file) => !known.has(file));
    assert.deepEqual(readers, [], 'pass the value in as an option and read the variable in bin/');
  });

  it('createLanguageModel sees only the environment it is given (bin/ passes process.env)', async () => {
    const saved = process.env.SKILLFORGE_LLM;
    process.env.SKILLFORGE_LLM = 'ollama:from-the-shell';
    try {
      await assert.rejects(createLanguageModel(undefined), (e: unknown) => (e as { code?: string }).code === 'E_NO_LLM');
      const model = await createLanguageModel(undefined, { env: { SKILLFORGE_LLM: 'ollama:given' }, cache: false });
      assert.match(model.id, /ollama:given/);
    } finally {
      if (saved === undefined) delete process.env.SKILLFORGE_LLM;
      else process.env.SKILLFORGE_LLM = saved;
    }
  });

  /** Set variables for one test, restoring the shell's afterwards. */
  async function withEnv(vars: Record<string, string>, fn: () => Promise<void>): Promise<void> {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    Object.assign(process.env, vars);
    try {
      await fn();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  it('the command line still hands the variables on: OPENAI_API_KEY to an OpenAI embedder', async () => {
    const server = await FakeLlmServer.start();
    const dir = mkdtempSync(join(tmpdir(), 'sf-env-'));
    const skill = join(dir, 'skill.json');
    writeFileSync(skill, JSON.stringify({ name: 'rinseCup', description: 'rinse the cup in the sink', env: 'kitchen', code: 'async function rinseCup(env) { return 1; }' }));
    try {
      await withEnv({ OPENAI_API_KEY: 'sk-from-the-shell' }, async () => {
        await runCli(['--no-config', '--data-dir', dir, 'skills', '--embedder', `openai:e@${server.openaiBaseUrl}`, 'add', skill]);
      });
      const embeds = server.requests.filter((r) => r.path.endsWith('/embeddings'));
      assert.ok(embeds.length >= 1, 'the library embedded the skill through the server');
      for (const r of embeds) assert.equal(r.headers.authorization, 'Bearer sk-from-the-shell');
    } finally {
      await server.close();
    }
  });

  it('the command line still hands the variables on: SKILLFORGE_NODE_LLAMA_CPP to the gguf backend', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-env-'));
    const model = join(dir, 'model.gguf');
    writeFileSync(model, 'not really a model');
    await withEnv({ SKILLFORGE_NODE_LLAMA_CPP: join(dir, 'no-such-package') }, async () => {
      await assert.rejects(runCli(['--no-config', 'llm', 'ask', 'hi', '--llm', `gguf:${model}`]), (err: unknown) => {
        assert.equal((err as { code?: string }).code, 'E_LLM_GGUF');
        assert.match((err as Error).message, /node-llama-cpp failed to load: .*no-such-package/);
        return true;
      });
    });
  });
});
