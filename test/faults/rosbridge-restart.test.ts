/**
 * rosbridge restarts in the middle of a `skillforge robot` run (the bridge goes away and comes back
 * on the same port while the robot is driving): the safety layer's owed stop goes first, the agent
 * carries on, the instruction is achieved, the outage is one line, and the process exits by itself
 * within 2 s of its summary. A real process against the simulated robot reached through --url, as a
 * robot on the network would be.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProfile } from '../../robots/profile.js';
import { SimRobot } from '../../robots/sim/server.js';
import { FakeLlmServer } from '../support/openai-server.js';
import { appleFetchLogprob } from '../support/saycan-models.js';
import { spawnCli } from '../support/spawn-cli.js';

const PROFILE = fileURLToPath(new URL('../../robots/profiles/sim-kitchen.yaml', import.meta.url));

describe('environment faults: a rosbridge restart mid-run (real process)', function () {
  this.timeout(180_000);
  let sim: SimRobot | undefined;
  let llm: FakeLlmServer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sf-faults-rosbridge-'));
  after(async () => {
    await sim?.close();
    await llm?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the run survives the outage, achieves the instruction and exits within 2 s of its summary', async () => {
    sim = await SimRobot.start({ profile: await loadProfile(PROFILE), seed: 3, navSpeed: 1 });
    llm = await FakeLlmServer.start({ logprob: appleFetchLogprob });
    const run = spawnCli(['robot', 'bring me an apple', '--url', sim.url, '--profile', PROFILE, '--llm', 'openai-compatible:test-model', '--llm-base-url', llm.url, '--no-llm-cache'], {
      env: { SKILLFORGE_DATA_DIR: dir },
    });
    // Into the run: the first step has been chosen and the robot is moving.
    await run.waitFor(/> find the apple/, 120_000);
    await sim.stopBridge();
    await new Promise((r) => setTimeout(r, 1000));
    await sim.startBridge();
    const summaryAt = await run.waitFor(/^stopped: \w+ after \d+ step/m, 120_000);
    const { code, out, err, exitedAt } = await run.done;
    const output = out + err;
    assert.equal(code, 0, output);
    assert.match(output, /stopped: done after/);
    assert.ok(exitedAt - summaryAt < 2000, `the process exited ${exitedAt - summaryAt} ms after its summary`);
    assert.equal(output.match(/connection to the robot lost/g)?.length, 1, `one line per outage:\n${output}`);
    assert.match(output, /connection to the robot restored/);
  });
});
