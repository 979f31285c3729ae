import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('skills/library TSDoc example', function () {
  this.timeout(30_000);
  it('runs as written and prints what its comments say', () => {
    const source = readFileSync(join(root, 'skills', 'library.ts'), 'utf8');
    const block = /@example\s*\n \* ```ts\n([\s\S]*?) \* ```/.exec(source)?.[1];
    assert.ok(block, 'library.ts has a ```ts example');
    const dir = mkdtempSync(join(tmpdir(), 'sf-example-'));
    try {
      const code = block
        .split('\n')
        .map((l) => l.replace(/^ \* ?/, ''))
        .join('\n')
        .replace("'./skills/library.js'", JSON.stringify(pathToFileURL(join(root, 'skills', 'library.ts')).href))
        .replace("'/tmp/my-library'", JSON.stringify(join(dir, 'lib')));
      const file = join(dir, 'example.mts');
      writeFileSync(file, code);
      const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', cwd: root });
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines[0], '1 true');
      assert.equal(lines[1], 'mineWoodLog 1.00', 'hybrid: the only skill is best by both rankers');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
