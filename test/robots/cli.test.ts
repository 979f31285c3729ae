import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Keys } from '../../bin/commands/robot.js';
import { runCli as cli } from '../support/cli.js';
import { FakeLlmServer } from '../support/openai-server.js';
import { appleFetchLogprob as logprob } from '../support/saycan-models.js';

describe('skillforge robot (command line)', function () {
  let server: FakeLlmServer;
  before(async () => {
    server = await FakeLlmServer.start({ logprob });
  });
  after(async () => {
    await server.close();
  });
  const llm = () => ['--llm', 'openai-compatible:test-model', '--llm-base-url', server.url, '--no-llm-cache'];

  it('drives the embedded simulated robot over rosbridge to bring an apple', async () => {
    const { out, err, code } = await cli(['robot', 'bring me an apple', '--seed', '3', '--sim-speed', '20', ...llm()]);
    assert.equal(code, undefined, out + err);
    assert.match(err, /simulated robot \(kitchen seed 3\) serving rosbridge on ws:\/\/127\.0\.0\.1:\d+/);
    assert.match(out, /> find the apple/);
    assert.match(out, / {3}pick up the apple\s+0\.\d+\s+0\.000/, 'the premature pick is vetoed by the robot-state Can');
    assert.match(err, /safety: goal send_action_goal:\/navigate_to_pose/);
    assert.match(out, /task: SUCCESS \(the user has the apple\)/);
  });

  it('--dry-run logs the commands and moves nothing', async () => {
    const { out, err } = await cli(['robot', 'bring me an apple', '--seed', '3', '--dry-run', '--max-steps', '3', ...llm()]);
    assert.match(out, /DRY RUN/);
    assert.match(err, /\[dry-run\] send_action_goal \/navigate_to_pose/);
    assert.doesNotMatch(err, /safety: goal send_action_goal/);
  });

  it('--llm offline: the kitchen planner as the Say drives the simulated robot end to end without a model', async () => {
    const { out, err, code } = await cli(['robot', 'bring me an apple', '--seed', '3', '--sim-speed', '20', '--llm', 'offline']);
    assert.equal(code, undefined, out + err);
    assert.match(out, /Say: offline:kitchen-planner \(the kitchen planner baseline, not a language model\)/);
    assert.match(out, /task: SUCCESS \(the user has the apple\)/);
    assert.match(err, /verified \d+ interface\(s\) through rosapi/);
  });

  it('skillforge saycan --llm offline: the same baseline on the kitchen simulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-saycan-offline-'));
    try {
      const { out, err, code } = await cli(['--data-dir', dir, 'saycan', 'bring me an apple', '--seed', '3', '--llm', 'offline']);
      assert.equal(code, undefined, out + err);
      assert.match(out, /Say: offline:kitchen-planner/);
      assert.match(out, /task: SUCCESS \(the user has the apple\)/);
      await assert.rejects(cli(['--data-dir', dir, 'saycan', '--suite', '--llm', 'offline']), /--suite needs a language model/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 when the instruction was not achieved, and says why', async () => {
    const { out, err, code } = await cli(['robot', 'bring me an apple', '--seed', '3', '--sim-speed', '20', '--llm', 'offline', '--max-steps', '1']);
    assert.equal(code, 1, out + err);
    assert.match(err, /instruction not achieved: no 'done' within 1 steps/);
  });

  it('--llm offline refuses what it cannot plan: no kitchen goal, or a real robot', async () => {
    await assert.rejects(cli(['robot', 'dance', '--llm', 'offline']), /--llm offline plans toward a kitchen goal/);
    await assert.rejects(cli(['robot', 'bring me an apple', '--llm', 'offline', '--url', 'ws://127.0.0.1:9', '--profile', 'x.yaml']), /exact state; a real robot \(--url\) needs a language model/);
  });

  it('refuses --url without a profile', async () => {
    await assert.rejects(cli(['robot', 'x', '--url', 'ws://127.0.0.1:9', ...llm()]), /--url needs --profile/);
  });

  it('refuses a fractional --max-steps instead of rounding it down (0.5 used to mean zero steps)', async () => {
    await assert.rejects(cli(['robot', 'x', '--max-steps', '0.5', ...llm()]), /--max-steps must be an integer ≥ 1, got '0.5'/);
  });
});

describe('skillforge robot keys', () => {
  function terminal() {
    const input = Object.assign(new PassThrough(), { isTTY: true, raw: false, setRawMode(m: boolean) { input.raw = m; } });
    return input;
  }

  it('SPACE and e trigger the e-stop, y/n answer confirmations, Ctrl-C interrupts, raw mode is restored', async () => {
    const input = terminal();
    let estops = 0;
    let interrupts = 0;
    let printed = '';
    const keys = new Keys(() => estops++, () => interrupts++, input, { write: (s: string) => (printed += s) });
    assert.equal(input.raw, true);
    input.write(' ');
    input.write('E');
    await new Promise((r) => setImmediate(r));
    assert.equal(estops, 2);
    const yes = keys.ask('navigate to table?');
    input.write('y');
    assert.equal(await yes, true);
    const no = keys.ask('navigate to sink?');
    input.write('x');
    assert.equal(await no, false);
    const interrupted = keys.ask('pick up the apple?');
    input.write(' ');
    assert.equal(await interrupted, false, 'the e-stop key answers a pending confirmation with no');
    input.write('\u0003');
    await new Promise((r) => setImmediate(r));
    assert.equal(interrupts, 1);
    assert.match(printed, /navigate to table\? \[y\/N\] yes/);
    keys.close();
    assert.equal(input.raw, false);
  });

  it('without a terminal, confirmations read a line', async () => {
    const input = new PassThrough();
    const keys = new Keys(() => {}, () => {}, input, { write: () => true });
    assert.equal(keys.active, false);
    const answer = keys.ask('go?');
    input.write('yes\n');
    assert.equal(await answer, true);
    keys.close();
  });
});
