/**
 * SIGTERM, as a process manager sends it, to real skillforge processes in the middle of their work:
 * each exits with 143 within 2 s of the signal (the running skill or model request is aborted, not
 * awaited), with its state saved and nothing recorded as failed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EpisodicMemory } from '../../memory/episodic.js';
import { FakeLlmServer } from '../support/openai-server.js';
import { appleFetchLogprob as logprob } from '../support/saycan-models.js';
import { spawnCli } from '../support/spawn-cli.js';

/** Wait until the fake server has received `n` requests. */
async function requests(server: FakeLlmServer, n: number, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (server.requests.length < n) {
    if (Date.now() > until) throw new Error(`the model server saw ${server.requests.length} requests, not ${n}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('signals: SIGTERM mid-run (real processes)', function () {
  this.timeout(240_000);
  let dir: string;
  let server: FakeLlmServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-faults-signals-'));
    server = await FakeLlmServer.start({ logprob });
  });
  beforeEach(() => server.reset());
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const llm = () => ['--llm', 'openai-compatible:test-model', '--llm-base-url', server.url, '--no-llm-cache'];

  it('saycan: stopped while the model is thinking: exit 143 within 2 s, the step not recorded, the task not judged', async () => {
    const dataDir = join(dir, 'saycan');
    server.fail({ fault: 'hang' });
    const run = spawnCli(['--data-dir', dataDir, 'saycan', 'bring me an apple', '--seed', '3', ...llm()]);
    await requests(server, 1);
    const killedAt = run.kill('SIGTERM');
    const { code, out, err, exitedAt } = await run.done;
    assert.equal(code, 143, err);
    assert.ok(exitedAt - killedAt < 2000, `exited ${exitedAt - killedAt} ms after SIGTERM`);
    assert.match(err, /SIGTERM: stopping/);
    assert.match(out, /stopped: interrupted/);
    assert.doesNotMatch(out, /task: FAILED/);
    const memory = EpisodicMemory.open({ dir: dataDir });
    try {
      assert.equal(memory.count({ success: false }), 0);
    } finally {
      memory.close();
    }
  });

  it('robot (simulated): stopped while the model is thinking: the robot is halted, exit 143 within 2 s', async () => {
    server.fail({ fault: 'hang' });
    const run = spawnCli(['--data-dir', join(dir, 'robot'), 'robot', 'bring me an apple', ...llm()]);
    await requests(server, 1);
    const killedAt = run.kill('SIGTERM');
    const { code, err, exitedAt } = await run.done;
    assert.equal(code, 143, err);
    assert.ok(exitedAt - killedAt < 2000, `exited ${exitedAt - killedAt} ms after SIGTERM`);
  });

  it('evolve: stopped between episodes: exit 143 within 2 s, the library intact', async () => {
    const dataDir = join(dir, 'evolve');
    const run = spawnCli(['--data-dir', dataDir, 'evolve', '--episodes', '400', '--held-out', '2', '--reflect-every', '400']);
    await run.waitFor(/episode +3\/400/);
    const killedAt = run.kill('SIGTERM');
    const { code, out, err, exitedAt } = await run.done;
    assert.equal(code, 143, err);
    assert.ok(exitedAt - killedAt < 2000, `exited ${exitedAt - killedAt} ms after SIGTERM`);
    assert.doesNotMatch(out, /episode +400\/400/);
    assert.ok(existsSync(join(dataDir, 'library', 'library.db')));
  });

  it('world: exit 143 within 2 s, its temp folder removed', async () => {
    const tmp = join(dir, 'tmp-world');
    mkdirSync(tmp);
    const run = spawnCli(['world'], { env: { TMPDIR: tmp } });
    await run.waitFor(/world \(seed 1\) on 127\.0\.0\.1:\d+/);
    assert.equal(readdirSync(tmp).filter((f) => f.startsWith('skillforge-world-')).length, 1);
    const killedAt = run.kill('SIGTERM');
    const { code, err, exitedAt } = await run.done;
    assert.equal(code, 143, err);
    assert.ok(exitedAt - killedAt < 2000, `exited ${exitedAt - killedAt} ms after SIGTERM`);
    assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('skillforge-world-')), []);
  });

  it('npm start (the Minecraft learner): SIGTERM to npm mid-task: the learner stops, exit 143 within 2 s, state saved, the task interrupted, not FAIL', async () => {
    const dataDir = join(dir, 'minecraft');
    const tmp = join(dir, 'tmp-mc');
    mkdirSync(tmp);
    const run = spawnCli(['--iterations', '20'], { env: { SKILLFORGE_DATA_DIR: dataDir, TMPDIR: tmp }, npmStart: true });
    await run.waitFor(/no language model configured/);
    // Let the first task start (the offline planner writes a skill and runs it).
    await new Promise((r) => setTimeout(r, 3000));
    const killedAt = run.kill('SIGTERM');
    const { code, out, err, exitedAt } = await run.done;
    const output = out + err;
    assert.equal(code, 143, output);
    assert.ok(exitedAt - killedAt < 2000, `exited ${exitedAt - killedAt} ms after SIGTERM`);
    assert.doesNotMatch(output, /FAIL /);
    // npm exits after the learner has stopped and printed its summary (not before, leaving it orphaned).
    assert.match(output, /^library: \d+ skills/m);
    const state = JSON.parse(readFileSync(join(dataDir, 'learners', 'skillforge.json'), 'utf8')) as { failed: string[]; interrupted?: string[] };
    assert.deepEqual(state.failed, []);
    if (/INTERRUPTED/.test(output)) assert.equal(state.interrupted?.length, 1);
    assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('skillforge-world-')), [], 'the temp world is removed');
  });
});
