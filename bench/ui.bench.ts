/**
 * What the dashboard costs a learner: iterations per minute of the kitchen learner (VoyagerLearner,
 * real sandbox, critic and library; a scripted writer instead of a language model) without `--ui`,
 * and with the dashboard serving and one headless Chromium connected to its live view (events over
 * SSE, observations sampled every second, the page redrawing). Runs alternate between the two and swap
 * order each round, in one process; each run starts from an empty library; the two must learn the
 * same skills with the same outcomes.
 *
 *   node --import tsx bench/ui.bench.ts [--rounds 10] [--passes 4] [--tasks 16]
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkillLibrary } from '../skills/library.js';
import { SkillRuntime } from '../skills/runtime/runtime.js';
import { SAYCAN_KITCHEN } from '../envs/kitchen/index.js';
import { UiHub } from '../ui/hub.js';
import { startUiServer } from '../ui/server.js';
import { sampleObservations, firstLine } from '../ui/launch.js';
import { kitchenLearner } from '../test/support/kitchen-learner.js';
import { chromiumAvailable, launchChromium } from '../test/support/browser.js';
import { median } from './stats.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const rounds = Number(arg('rounds', '10'));
// Each run learns the task list this many times over, from an empty library each time.
const passes = Number(arg('passes', '4'));
const objects = SAYCAN_KITCHEN.objects.map((o) => o.id).slice(0, Number(arg('tasks', '16')));

if (!chromiumAvailable()) {
  console.log('ui bench: skipped (no chromium at /usr/bin/chromium; .ci/services installs it)');
  process.exit(0);
}

const runtime = new SkillRuntime({ memoryMb: 64 });
const browser = await launchChromium();

async function run(withUi: boolean): Promise<{ perMinute: number; cpuPerIteration: number; pageMsPerIteration: number; outcome: string }> {
  const hub = withUi ? new UiHub('bench') : undefined;
  const server = hub ? await startUiServer({ hub }) : undefined;
  const page = server ? await browser.newPage() : undefined;
  let ms = 0;
  let cpu = 0;
  let iterations = 0;
  const outcomes: string[] = [];
  try {
    let pageTask0 = 0;
    if (page && server) {
      await page.goto(`${server.url}#live`);
      await page.waitForSelector('body[data-connected="yes"]');
      assert.equal(hub!.watchers, 1, 'one browser connected');
      pageTask0 = (await page.metrics()).TaskDuration ?? 0;
    }
    for (let pass = 0; pass < passes; pass++) {
      const dir = mkdtempSync(join(tmpdir(), 'sf-bench-ui-'));
      const library = await SkillLibrary.open(join(dir, 'library'), { logger: { warn() {}, info() {} } as never });
      const { learner, env } = kitchenLearner({ library, runtime, objects, agent: `bench${pass}`, onEvent: hub ? (e) => hub.learner(`bench${pass}`, e) : undefined });
      const stopSampling = hub ? sampleObservations(hub, `bench${pass}`, () => env.observe(), { summary: firstLine }) : undefined;
      try {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const summary = await learner.learn({ iterations: objects.length });
        ms += performance.now() - t0;
        const c = process.cpuUsage(c0);
        cpu += (c.user + c.system) / 1000;
        iterations += summary.iterations;
        outcomes.push(summary.results.map((r) => `${r.task}:${r.success}:${r.skill}`).join('|'));
      } finally {
        stopSampling?.();
        await library.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    // The page really followed: every outcome reached it.
    if (page) await page.waitForFunction(`document.querySelectorAll('#timeline span').length === ${passes * objects.length}`);
    const pageMs = page ? ((await page.metrics()).TaskDuration! - pageTask0) * 1000 : 0;
    return { perMinute: (iterations * 60_000) / ms, cpuPerIteration: cpu / iterations, pageMsPerIteration: pageMs / iterations, outcome: outcomes.join('\n') };
  } finally {
    await page?.close();
    await server?.close();
  }
}

// One warm-up of each (isolate pools, JIT, Chromium's first page).
await run(false);
await run(true);
const without: number[] = [];
const withUi: number[] = [];
const ratios: number[] = [];
const cpuWithout: number[] = [];
const cpuWith: number[] = [];
const pageMs: number[] = [];
let reference: string | undefined;
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? [false, true] : [true, false];
  const got: Record<string, number> = {};
  for (const ui of order) {
    const { perMinute, cpuPerIteration, pageMsPerIteration, outcome } = await run(ui);
    (ui ? cpuWith : cpuWithout).push(cpuPerIteration);
    if (ui) pageMs.push(pageMsPerIteration);
    reference ??= outcome;
    assert.equal(outcome, reference, 'the same skills learned with the same outcomes');
    got[String(ui)] = perMinute;
  }
  without.push(got.false!);
  withUi.push(got.true!);
  ratios.push(got.true! / got.false!);
}
await browser.close();
await runtime.close();

// The dashboard's own work in the learner's process, alone: recording a learner iteration's events
// (task, round, verdict, stored, done) in the hub and serialising them for one connected browser.
const hubOnly = new UiHub('cost');
let sink = 0;
hubOnly.subscribe((_e, json) => void (sink += json.length));
const N = 50_000;
const c0 = process.cpuUsage();
for (let i = 0; i < N; i++) {
  hubOnly.learner('a', { type: 'task', iteration: i + 1, task: { description: 'Bring the apple to the user', goal: { userHas: 'apple' } } });
  hubOnly.learner('a', { type: 'round', round: 1, skill: 'bringAppleToUser' });
  hubOnly.learner('a', { type: 'verdict', round: 1, verdict: { success: true, critique: '' } as never });
  hubOnly.learner('a', { type: 'stored', skill: 'bringAppleToUser', version: 1, created: true });
  hubOnly.learner('a', { type: 'done', task: 'Bring the apple to the user', success: true, rounds: 1, librarySize: 1 });
}
const hubCost = process.cpuUsage(c0);
const hubUsPerIteration = (hubCost.user + hubCost.system) / N;

const f = (x: number) => x.toFixed(0);
console.log(`kitchen learner, ${passes} × ${objects.length} tasks per run (fresh library each), ${rounds} rounds (alternating, order swapped each round)`);
console.log(`  without --ui:              median ${f(median(without))} iterations/min  [${without.map(f).join(', ')}]`);
console.log(`  --ui + 1 browser (live):   median ${f(median(withUi))} iterations/min  [${withUi.map(f).join(', ')}]`);
console.log(`  ratio with/without, per round: median ${median(ratios).toFixed(3)}  [${ratios.map((x) => x.toFixed(3)).join(', ')}]`);
const cpuRatios = cpuWith.map((c, i) => c / cpuWithout[i]!);
console.log(`learner process CPU per iteration: without ${median(cpuWithout).toFixed(2)} ms, with --ui ${median(cpuWith).toFixed(2)} ms; per-round ratio median ×${median(cpuRatios).toFixed(3)} [${cpuRatios.map((x) => x.toFixed(3)).join(', ')}]`);
// Wall-clock rates swing with the machine's load; CPU time per iteration is what the dashboard adds.
console.log(`within 5%: wall-clock ${median(ratios) >= 0.95 ? 'yes' : 'NO'} (median ratio ${median(ratios).toFixed(3)}), learner CPU ${median(cpuRatios) <= 1.05 ? 'yes' : 'NO'} (×${median(cpuRatios).toFixed(3)})`);
console.log(`browser main-thread task time per iteration (the page, another process; wall time of its tasks): ${median(pageMs).toFixed(2)} ms`);
console.log(`the hub alone: ${hubUsPerIteration.toFixed(2)} µs of CPU per learner iteration (5 events, serialised for one browser) = ${((100 * hubUsPerIteration) / 1000 / median(cpuWithout)).toFixed(3)} % of an iteration's ${median(cpuWithout).toFixed(2)} ms (${sink > 0 ? 'checked' : ''})`);
