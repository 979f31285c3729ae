/**
 * The sandboxed skill runtime: what isolation costs. Baseline in the same run, interleaved run by
 * run: the same skill code evaluated with node:vm in this thread (no isolation at all). Measured for
 * both isolation modes (in-process isolates; isolates in a permission-restricted child process):
 * - a short skill run (copy the endowments in, run, copy the result out), results checked equal;
 * - one host call (a skill calling a host function 1000 times, minus the same skill calling it 0
 *   times, per call);
 * - the first run after a runaway skill was stopped (the isolate or child is replaced).
 *
 *   node --no-node-snapshot --import tsx bench/runtime.bench.ts [--runs 200]
 */
import vm from 'node:vm';
import { SkillRuntime, type IsolationMode } from '../skills/runtime/runtime.js';
import { median } from './stats.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 200);
const CALLS = 1000;
const code = `async function skill(bot) { let n = 0; for (const item of bot.inventory.items()) n += item.count; return n }`;
const callCode = `async function calls(bot, n) { let s = 0; for (let i = 0; i < n; i++) s += bot.add(i); return s }`;
const makeBot = () => ({ inventory: { items: () => [{ name: 'dirt', count: 3 }, { name: 'oak_log', count: 2 }] }, add: (i: number) => i });
const expectedCalls = (n: number) => (n * (n - 1)) / 2;

async function direct(src: string, main: string, bot: unknown, n: number): Promise<unknown> {
  const ctx = vm.createContext({ bot, n });
  return vm.runInContext(`${src}; (async () => { ${main} })()`, ctx);
}

const rows: string[] = [];
for (const mode of ['in-process', 'child'] as IsolationMode[]) {
  const runtime = new SkillRuntime({ isolation: mode, callsPerSecond: 1e9 });
  const bot = makeBot();
  const sandboxed = async (src: string, main: string, n: number) => {
    const r = await runtime.run({ code: src, main, endowments: { bot, n } });
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };
  for (let i = 0; i < 20; i++) await sandboxed(code, 'return await skill(bot)', 0); // warm up: isolate, pool, JIT
  const base: number[] = [];
  const iso: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, order swapped every run: load on the shared machine hits both alike.
    const pair = async (f: () => Promise<unknown>, into: number[]) => {
      const t = performance.now();
      const v = await f();
      into.push(performance.now() - t);
      if (v !== 5) throw new Error(`wrong result ${String(v)}`);
    };
    const a = () => pair(() => direct(code, 'return await skill(bot)', bot, 0), base);
    const b = () => pair(() => sandboxed(code, 'return await skill(bot)', 0), iso);
    if (i % 2) { await a(); await b(); } else { await b(); await a(); }
  }
  // Host calls: N calls minus 0 calls, per call.
  const many: number[] = [], none: number[] = [], manyBase: number[] = [], noneBase: number[] = [];
  const callRuns = Math.max(10, Math.floor(runs / 10));
  for (let i = 0; i < callRuns; i++) {
    for (const [n, into, intoBase] of [[CALLS, many, manyBase], [0, none, noneBase]] as const) {
      let t = performance.now();
      const v = await sandboxed(callCode, 'return await calls(bot, n)', n);
      into.push(performance.now() - t);
      t = performance.now();
      const w = await direct(callCode, 'return await calls(bot, n)', bot, n);
      intoBase.push(performance.now() - t);
      if (v !== expectedCalls(n) || w !== v) throw new Error(`wrong call result ${String(v)} / ${String(w)}`);
    }
  }
  const perCall = ((median(many) - median(none)) / CALLS) * 1000;
  const perCallBase = ((median(manyBase) - median(noneBase)) / CALLS) * 1000;
  // Recovery after a runaway skill.
  const recover: number[] = [];
  for (let i = 0; i < 5; i++) {
    await runtime.run({ code: 'async function spin() { for (;;) {} }', main: 'await spin()', endowments: {}, timeoutMs: 50 });
    const t = performance.now();
    await sandboxed(code, 'return await skill(bot)', 0);
    recover.push(performance.now() - t);
  }
  await runtime.close();
  const d = median(base), s = median(iso);
  rows.push(`| ${mode}: short skill run | ${d.toFixed(3)} | ${s.toFixed(3)} | ${(s / d).toFixed(1)}× |`);
  rows.push(`| ${mode}: one host call (µs) | ${perCallBase.toFixed(2)} | ${perCall.toFixed(1)} | ${(perCall / Math.max(perCallBase, 0.001)).toFixed(0)}× |`);
  rows.push(`| ${mode}: first run after a runaway skill was stopped | ${d.toFixed(3)} | ${median(recover).toFixed(1)} | ${(median(recover) / d).toFixed(0)}× |`);
}
console.log(`runs: ${runs} per mode, interleaved with the baseline; node ${process.version}`);
console.log('| what | node:vm in this thread (baseline), ms | isolated, ms | ratio |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(r);
