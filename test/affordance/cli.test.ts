import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

/** `skillforge --data-dir <dataDir> affordance ...`, in-process; its stdout. */
async function run(dataDir: string, args: string[]): Promise<string> {
  return (await runCli(['--data-dir', dataDir, 'affordance', ...args])).out;
}

describe('skillforge affordance train|eval', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sf-aff-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('collects kitchen attempts, trains, exports ONNX + manifest, and evaluates on fresh attempts', async () => {
    const report = JSON.parse(await run(dir, ['train', '--env', 'kitchen', '--collect', '900', '--model', 'logreg', '--json'])) as {
      onnxPath: string;
      manifestPath: string;
      metrics: { test: { auc: number }; baseline: { auc: number } };
    };
    assert.ok(existsSync(report.onnxPath) && existsSync(report.manifestPath));
    assert.equal(JSON.parse(readFileSync(report.manifestPath, 'utf8')).kind, 'logreg');
    assert.ok(report.metrics.test.auc > 0.85, `AUC ${report.metrics.test.auc}`);
    const text = await run(dir, ['eval', '--model', report.onnxPath, '--collect', '300']);
    assert.match(text, /on 300 attempts/);
    assert.match(text, /logreg\s+AUC 0\.\d+/);
    assert.match(text, /constant\s+AUC 0\.500/);
    assert.match(text, /\[0\.9, 1\.0\]/);
  });

  it('says what to do when there is nothing to train on', async () => {
    await assert.rejects(run(join(dir, 'empty'), ['train']), /no kitchen attempts/);
  });
});
