import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeLlmServer } from '../support/openai-server.js';

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/skillforge.js', ...args], { env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

describe('skillforge llm (command line)', function () {
  this.timeout(60_000);
  let server: FakeLlmServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'sf-llm-cli-'));
  before(async () => {
    server = await FakeLlmServer.start({ logprob: (_c, t) => (t.includes('apple') ? -0.1 : -2) });
  });
  after(async () => {
    await server.close();
  });

  it('score prints the options by Say probability and the method', async () => {
    const r = await cli(['--data-dir', dataDir, 'llm', 'score', 'Robot: I would', ' open the drawer', ' take the apple', '--llm', `openai-compatible:m@${server.url}`]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0]!, /" take the apple"\s+p=0\.\d+/);
    assert.match(r.out, /method: logprobs/);
  });

  it('without a model it says what is needed and how to point at one', async () => {
    const r = await cli(['--data-dir', dataDir, 'llm', 'ask', 'hello']);
    assert.equal(r.code, 1);
    assert.match(r.err, /no language model is configured/);
    assert.match(r.err, /--llm ollama:llama3\.1/);
    assert.match(r.err, /OPENAI_API_KEY/);
  });
});
