/**
 * The Minecraft server restarts in the middle of a learner's run (killed, started again on the same
 * port): the bot reconnects, the attempt cut off is interrupted rather than failed, the run
 * completes, and the process exits by itself within 2 s of its summary. One run, three tasks: the
 * embedded world is expensive on a small machine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedWorld, type EmbeddedWorld } from '../../envs/minecraft/server/world.js';
import { spawnCli } from '../support/spawn-cli.js';

describe('environment faults: a Minecraft server restart mid-run (real process)', function () {
  this.timeout(600_000);
  let dir: string;
  let world: EmbeddedWorld | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sf-faults-restart-'));
  });
  after(async () => {
    await world?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the learner reconnects, records the cut-off task as interrupted, finishes, and exits within 2 s of its summary', async () => {
    world = await startEmbeddedWorld({ seed: 1 });
    const port = world.port;
    const run = spawnCli(['minecraft', '--host', '127.0.0.1', '--port', String(port), '--version', world.version, '--iterations', '3'], {
      env: { SKILLFORGE_DATA_DIR: join(dir, 'data') },
    });
    await run.waitFor(/no language model configured/, 300_000);
    await new Promise((r) => setTimeout(r, 2000)); // into the first task
    await world.stop();
    world = await startEmbeddedWorld({ seed: 1, port });
    const summaryAt = await run.waitFor(/^done: \d+ tasks this run/m, 480_000);
    const { code, out, err, exitedAt } = await run.done;
    const output = out + err;
    assert.equal(code, 0, output);
    assert.ok(exitedAt - summaryAt < 2000, `the process exited ${exitedAt - summaryAt} ms after its summary`);
    assert.doesNotMatch(output, /FAIL .*\n?.*not connected/);
    const state = JSON.parse(readFileSync(join(dir, 'data', 'learners', 'skillforge.json'), 'utf8')) as { failed: string[]; interrupted?: string[] };
    for (const line of output.split('\n').filter((l) => l.startsWith('INTERRUPTED '))) {
      const task = line.slice('INTERRUPTED '.length, line.indexOf(': '));
      assert.ok(!state.failed.includes(task), `${task} was interrupted by the restart, not failed`);
    }
  });
});
