/**
 * On an end-of-life Node (20 and older) the CLI stops before loading any native addon, says which Node
 * it needs and what to run instead, and exits 1. Runs where the machine still has such a Node at
 * /usr/bin/node (Debian 12's, for instance); elsewhere it is skipped and says why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/skillforge.js', import.meta.url));
const OLD = '/usr/bin/node';

describe('skillforge on an unsupported Node', () => {
  it('refuses with the Node it needs and the command to run instead, exit 1', function () {
    const version = existsSync(OLD) ? spawnSync(OLD, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim() : '';
    if (!version || Number(version.split('.')[0]) >= 24) {
      console.log(`      skipped: no Node older than 24 at ${OLD}`);
      this.skip();
    }
    const run = spawnSync(OLD, [BIN, '--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`Node ${version.replaceAll('.', '\\.')} is not supported; it needs Node 24 or 26`));
    assert.match(run.stderr, /hint: .*scripts\/with-node\.sh 26 npm start/);
    assert.equal(run.stdout, '');
  });
});
