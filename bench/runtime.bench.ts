/**
 * The sandboxed skill runtime: what isolation costs. Baseline in the same run: the same skill code
 * evaluated directly in this thread (node:vm, no isolation), so the ratio is the price of the worker,
 * the fresh context per run and the membrane.
 *
 *   node --import tsx bench/runtime.bench.ts [--runs 200]
 */
import vm from 'node:vm';
import { SkillRuntime } from '../skills/runtime/runtime.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 200);
const code = `async function skill(bot) { let n = 0; for (const item of bot.inventory.items()) n += item.count; return n }`;
const bot = { inventory: new (class Inventory { items() { return [{ name: 'dirt', count: 3 }, { name: 'oak_log', count: 2 }]; } })() };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Baseline: direct evaluation in this thread.
const direct: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  const ctx = vm.createContext({ bot });
  await vm.runInContext(`${code}; skill(bot)`, ctx);
  direct.push(performance.now() - t);
}

const runtime = new SkillRuntime();
await runtime.run({ code, main: 'return await skill(bot)', endowments: { bot } }); // worker start
const sandboxed: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  const r = await runtime.run({ code, main: 'return await skill(bot)', endowments: { bot } });
  if (r.value !== 5) throw new Error(`wrong result ${String(r.value)}`);
  sandboxed.push(performance.now() - t);
}

// A runaway skill: time from its limit to the next run's result (terminate + new worker).
const recover: number[] = [];
for (let i = 0; i < 10; i++) {
  await runtime.run({ code: 'async function spin() { for (;;) {} }', main: 'await spin()', endowments: {}, timeoutMs: 50 });
  const t = performance.now();
  await runtime.run({ code, main: 'return await skill(bot)', endowments: { bot } });
  recover.push(performance.now() - t);
}
await runtime.close();

const d = median(direct), s = median(sandboxed);
console.log(`| what | median ms | vs direct vm in this thread |`);
console.log(`|---|---|---|`);
console.log(`| direct node:vm evaluation (baseline, no isolation) | ${d.toFixed(3)} | 1.0× |`);
console.log(`| sandboxed run (worker, fresh context, membrane; 2 host reads per item) | ${s.toFixed(3)} | ${(s / d).toFixed(1)}× |`);
console.log(`| first run after a runaway skill was stopped (new worker) | ${median(recover).toFixed(1)} | ${(median(recover) / d).toFixed(0)}× |`);
