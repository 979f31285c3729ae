import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { SkillforgeError } from '../../core/errors.js';
import { addLlmOptions, languageModelFromCommand, llmConfigured } from '../../bin/llm-options.js';
import { FakeLlmServer } from '../support/openai-server.js';

describe('bin/llm-options: the --llm command-line options', () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await FakeLlmServer.start();
  });
  after(async () => {
    await server.close();
  });

  function program(onModel: (cmd: Command) => Promise<void>) {
    const root = new Command('skillforge').option('--data-dir <dir>').exitOverride();
    addLlmOptions(root.command('think <what>'))
      .exitOverride()
      .action(async (_what: string, _opts: unknown, cmd: Command) => onModel(cmd));
    return root;
  }

  it('--llm, --llm-base-url and the global --data-dir build a cached model', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sf-cli-'));
    server.reply('thought');
    let answer = '';
    let cacheDirUsed = false;
    await program(async (cmd) => {
      const llm = await languageModelFromCommand(cmd, {});
      answer = await llm.chat([{ role: 'user', content: 'think' }]);
      cacheDirUsed = (await import('node:fs')).existsSync(join(dataDir, 'llm-cache'));
    }).parseAsync(['--data-dir', dataDir, 'think', 'x', '--llm', 'openai-compatible:m', '--llm-base-url', server.url], { from: 'user' });
    assert.equal(answer, 'thought');
    assert.ok(cacheDirUsed);
  });

  it('with no model configured the error says what is needed and how to point at one', async () => {
    let configured = true;
    await assert.rejects(
      program(async (cmd) => {
        configured = llmConfigured(cmd, {});
        await languageModelFromCommand(cmd, {});
      }).parseAsync(['think', 'x'], { from: 'user' }),
      (e: unknown) => {
        assert.equal((e as SkillforgeError).code, 'E_NO_LLM');
        assert.match((e as SkillforgeError).hint!, /--llm <provider:model> \(or SKILLFORGE_LLM\)/);
        assert.match((e as SkillforgeError).hint!, /--llm-config/);
        return true;
      },
    );
    assert.equal(configured, false);
  });
});
