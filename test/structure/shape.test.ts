/**
 * The shape of the house, as specs: no import cycles among the project's own modules (type-only
 * imports count: a cycle is a cycle for whoever reads the code), no source file over ~500 lines
 * unless its header says why (saying "over 500 lines" and why), and the border rules that keep bodies
 * swappable: agents/ never imports mineflayer, roslib or flying-squid, nor a concrete environment.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE_DIRS = ['agents', 'bin', 'core', 'envs', 'fleet', 'kits', 'memory', 'robots', 'skills', 'ui'];
const MAX_LINES = 530; // "about 500"

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (name === 'node_modules' || name === 'public') continue;
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ts|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(relative(root, full));
    }
  };
  for (const d of SOURCE_DIRS) walk(join(root, d));
  return out.sort();
}

/** Relative imports of a file (static, dynamic and re-exports), resolved to project files. */
function importsOf(file: string, known: Set<string>): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
  const out: string[] = [];
  for (const spec of specs) {
    const base = relative(root, resolve(root, dirname(file), spec));
    const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
    const hit = candidates.find((c) => known.has(c));
    if (hit && hit !== file) out.push(hit);
  }
  return out;
}

describe('the shape of the code', () => {
  const files = sourceFiles();
  const known = new Set(files);

  it('has no import cycles among its modules', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f, known)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const g of graph.get(f) ?? []) {
        if (state.get(g) === 'open') cycles.push([...stack.slice(stack.indexOf(g)), g].join(' -> '));
        else if (!state.has(g)) visit(g);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    assert.deepEqual(cycles, []);
  });

  it('keeps source files under ~500 lines, or says why in the header', () => {
    const long = files
      .map((f) => ({ f, text: readFileSync(join(root, f), 'utf8') }))
      .filter(({ text }) => text.split('\n').length > MAX_LINES)
      .filter(({ text }) => !/over 500 lines/i.test(text.split('*/')[0] ?? ''))
      .map(({ f, text }) => `${f} (${text.split('\n').length} lines)`);
    assert.deepEqual(long, []);
  });

  it('agents/ imports no body: no mineflayer, roslib, flying-squid, and no concrete environment', () => {
    const bad: string[] = [];
    for (const f of files.filter((x) => x.startsWith('agents/'))) {
      const text = readFileSync(join(root, f), 'utf8');
      if (/from ['"](mineflayer|roslib|flying-squid|minecraft-protocol)['"]|require\(['"](mineflayer|roslib|flying-squid)['"]\)/.test(text)) bad.push(`${f}: a body's library`);
      for (const g of importsOf(f, known)) if (/^(envs\/(kitchen|minecraft)|robots|kits)\//.test(g)) bad.push(`${f} -> ${g}`);
    }
    assert.deepEqual(bad, []);
  });
});
