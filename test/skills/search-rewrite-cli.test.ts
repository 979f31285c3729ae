/**
 * `skills search --rewrite`: with a language model configured, the query's rephrasings are searched
 * too, so a request in words no description uses still finds the skill; the model is the real
 * provider client against a local scripted server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { FakeLlmServer } from '../support/openai-server.js';

describe('skills search --rewrite (command line)', function () {
  this.timeout(60_000);
  let dir: string;
  let server: FakeLlmServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-rewrite-'));
    server = await FakeLlmServer.start({});
    const skills = [
      { name: 'mineWoodLog', description: 'Chop down trees and collect wood logs.', code: 'async function mineWoodLog(bot) { await mineBlock(bot, "oak_log", 1); }', env: 'minecraft' },
      { name: 'craftFurnace', description: 'Craft a furnace from eight cobblestone.', code: 'async function craftFurnace(bot) { await craftItem(bot, "furnace", 1); }', env: 'minecraft' },
    ];
    writeFileSync(join(dir, 'skills.json'), JSON.stringify(skills));
    await runCli(['--data-dir', dir, 'skills', 'add', join(dir, 'skills.json')]);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds by the model\'s rephrasings what the words alone do not find', async () => {
    const plain = await runCli(['--data-dir', dir, 'skills', 'search', 'do', 'the', 'lumberjack', 'thing', '--mode', 'text', '--json']);
    assert.deepEqual((JSON.parse(plain.out) as unknown[]).length, 0, 'no description says lumberjack');
    server.reply('fell some trees for wood\nchop down trees and collect logs');
    const rewritten = await runCli(['--data-dir', dir, 'skills', 'search', 'do', 'the', 'lumberjack', 'thing', '--mode', 'text', '--json', '--rewrite',
      '--llm', 'openai-compatible:test-model', '--llm-base-url', server.url, '--no-llm-cache']);
    const hits = JSON.parse(rewritten.out) as { skill: { name: string } }[];
    assert.equal(hits[0]?.skill.name, 'mineWoodLog');
    assert.match(JSON.stringify(server.requests.at(-1)?.body), /lumberjack/);
  });

  it('--rewrite without a model says what to set', async () => {
    const saved = process.env.SKILLFORGE_LLM;
    delete process.env.SKILLFORGE_LLM;
    try {
      await assert.rejects(runCli(['--data-dir', dir, 'skills', 'search', 'wood', '--rewrite']), /--rewrite asks a language model/);
    } finally {
      if (saved !== undefined) process.env.SKILLFORGE_LLM = saved;
    }
  });
});
