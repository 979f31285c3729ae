/**
 * SayCan on the simulated robot through the robot kit: `saycan --env robot --llm offline` plans from
 * the simulator's true state (the session's planner: the robot's own observation is only a belief),
 * every command through the safety layer, and the task is judged by the simulator.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

describe('saycan --env robot (the robot kit)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'sf-robot-saycan-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('brings the apple with the offline planner Say, judged by the simulator', async () => {
    const { out, code } = await runCli(['--data-dir', dir, 'saycan', '--env', 'robot', 'bring me an apple', '--llm', 'offline', '--setting', 'simSpeed=20', '--json', '--no-memory']);
    assert.equal(code, undefined, out);
    const result = JSON.parse(out) as { stopped: string; check: { success: boolean }; steps: { chosen: { text: string } }[] };
    assert.equal(result.stopped, 'done');
    assert.equal(result.check.success, true);
    assert.deepEqual(result.steps.map((s) => s.chosen.text), ['find the apple', 'pick up the apple', 'go to the user', 'put down the apple', 'done']);
  });

  it('a setting the kit does not know is refused, naming it', async () => {
    await assert.rejects(runCli(['--data-dir', dir, 'saycan', '--env', 'robot', 'bring me an apple', '--llm', 'offline', '--setting', 'warp=9']), /warp/);
  });
});
