import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkillLibrary } from '../../skills/library.js';
import { runCli } from '../support/cli.js';
import { FakeLlmServer } from '../support/openai-server.js';

const cli = async (args: string[]) => (await runCli(args)).out;

describe('skillforge evolve (CLI)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'sf-evolve-cli-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('evolves kitchen skills into the data directory and reports before/after as JSON', async () => {
    const out = await cli(['--data-dir', dir, 'evolve', '--env', 'kitchen', '--episodes', '20', '--held-out', '6', '--seed', '3', '--json']);
    const report = JSON.parse(out) as { before: { decisionsPerSolved: number }; after: { decisionsPerSolved: number; solved: number }; ratio: number; counters: { abstracted: number }; skills: { name: string; status: string }[] };
    assert.ok(report.counters.abstracted >= 1);
    assert.ok(report.ratio < 1, `ratio ${report.ratio}`);
    assert.equal(report.after.solved, 6);
    // Where `skillforge skills` and `skillforge saycan` look for it.
    const library = await SkillLibrary.open(join(dir, 'library'));
    try {
      const stored = await library.list({ env: 'kitchen' });
      assert.deepEqual(stored.map((s) => s.name).sort(), report.skills.filter((s) => s.status !== 'deprecated').map((s) => s.name).filter((n, i, a) => a.indexOf(n) === i).sort());
    } finally {
      await library.close();
    }
  });

  it('--llm: a language model proposes the composite (through the provider client), verification still decides', async () => {
    const proposal = {
      skills: [
        {
          name: 'fetchForUser',
          description: 'Find an object, pick it up, go to the user and hand it over.',
          params: [{ name: 'object', like: 'pick up.object' }],
          steps: [
            { skill: 'find', args: { object: { param: 'object' } } },
            { skill: 'pick up', args: { object: { param: 'object' } } },
            { skill: 'go to', args: { location: { value: 'user' } } },
            { skill: 'put down', args: { object: { param: 'object' } } },
          ],
        },
        { name: 'openThenGrab', description: 'Open a drawer, then pick up an object.', params: [{ name: 'drawer', like: 'open drawer.drawer' }, { name: 'object', like: 'pick up.object' }], steps: [{ skill: 'open drawer', args: { drawer: { param: 'drawer' } } }, { skill: 'pick up', args: { object: { param: 'object' } } }] },
      ],
    };
    const server = await FakeLlmServer.start({ replies: [JSON.stringify(proposal)] });
    try {
      const out = await cli(['--data-dir', join(dir, 'llm'), 'evolve', '--episodes', '8', '--reflect-every', '8', '--held-out', '4', '--no-memory',
        '--llm', 'openai-compatible:test-model', '--llm-base-url', server.url, '--no-llm-cache']);
      assert.match(out, /reflection: llm:openai-compatible:test-model/);
      assert.match(out, /\+ fetchForUser v1: verified on 3 fresh episodes/);
      assert.match(out, /- openThenGrab: failed verification/);
      assert.match(out, /after: +4\/4 solved/);
      const ask = server.requests.find((r) => r.path === '/v1/chat/completions')!;
      assert.match(JSON.stringify(ask.body), /propose composite skills/);
    } finally {
      await server.close();
    }
  });

  it('live progress names episodes, decisions and library size; other environments are refused with a hint', async () => {
    const out = await cli(['--data-dir', join(dir, 'live'), 'evolve', '--episodes', '10', '--held-out', '3', '--no-memory']);
    assert.match(out, /episode +1\/10 +solved +\d+ decisions/);
    assert.match(out, /library \d+/);
    assert.match(out, /reflect \(statistical\): 10 episodes/);
    assert.match(out, /after: +3\/3 solved, [\d.]+ decisions per solved instruction/);
    await assert.rejects(cli(['--data-dir', dir, 'evolve', '--env', 'ros2']), (e: Error & { hint?: string }) => /no environment named 'ros2'/.test(e.message) && /kitchen, minecraft/.test(e.hint ?? '') && /your own kit module/.test(e.hint ?? ''));
    await assert.rejects(cli(['--data-dir', dir, 'evolve', '--env', 'minecraft', '--seed', 'abc']), /Minecraft seed must be an integer/);
  });
});
