/**
 * Environment variables are read by the command line only (bin/): the library code under agents/,
 * skills/, memory/, envs/, robots/, ui/, fleet/ and core/ takes every setting as an option, so an
 * embedding program decides what its parts see and a test never inherits a developer's shell.
 *
 * @example
 *   SKILLFORGE_LIBRARY=postgres://... skillforge skills list   // bin/ reads it, passes { library }
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLanguageModel } from '../../agents/llm/factory.js';

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
});
