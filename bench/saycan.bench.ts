/**
 * SayCan and the kitchen simulator.
 *
 * 1. Decision overhead of one SayCan step with ~500 candidates, language model excluded (Say
 *    comes from a precomputed table): observe, prompt, Can from exact preconditions and an
 *    affordance model, Say × Can, top-k. Baseline in the same run: a naive step that re-grounds
 *    the primitives, and asks preconditions and the affordance model one candidate at a time
 *    (sharing the one observation, as SayCan does: no per-candidate copy). The two are timed in
 *    alternating rounds, the order swapped every round, and must return the same top 5.
 * 2. Kitchen world steps per second: the pure `step()` (structural sharing) against a baseline that
 *    JSON-clones the state every step (alternating rounds; both must end in the same state), and
 *    the Environment wrapper (`execute`, with validation).
 *
 * Run: node --import tsx bench/saycan.bench.ts
 */
import { rankCandidates, SayCanAgent } from '../agents/saycan/index.js';
import { groundPrimitives, type Candidate } from '../agents/act/grounding.js';
import { combinePreconditions } from '../agents/affordance/preconditions.js';
import type { AffordanceModel } from '../agents/affordance/model.js';
import type { LanguageModel, OptionScores } from '../agents/llm/model.js';
import type { Observation, SkillCall } from '../core/types.js';
import {
  KitchenEnvironment,
  SAYCAN_KITCHEN,
  initialState,
  kitchenObservation,
  relevantActions,
  step,
  whyNot,
  type KitchenAction,
  type KitchenLayout,
  type KitchenState,
} from '../envs/kitchen/index.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** ms per call of fn, median over rounds. */
async function time(fn: () => unknown, { rounds = 15, inner = 20 } = {}): Promise<number> {
  for (let i = 0; i < inner * 2; i++) await fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) await fn();
    samples.push((performance.now() - t0) / inner);
  }
  return median(samples);
}

// --- 1. one SayCan decision with ~500 candidates -------------------------------------------------

/** The paper's kitchen with extra groceries: 40 objects ground into 497 candidates. */
const extra = Array.from({ length: 40 - SAYCAN_KITCHEN.objects.length }, (_, i) => ({
  id: `grocery ${i + 1}`,
  article: 'a' as const,
  categories: ['snack' as const],
  grip: 1,
}));
const BIG: KitchenLayout = { ...SAYCAN_KITCHEN, version: 'saycan-kitchen-bench-40', objects: [...SAYCAN_KITCHEN.objects, ...extra] };
const env = new KitchenEnvironment({ state: initialState(1, { layout: BIG }), layout: BIG });
const instruction = 'bring me an apple';

/** Say without a model: a table computed once, looked up per option (what a cache hit costs). */
class TableModel implements LanguageModel {
  readonly id = 'table:precomputed';
  table = new Map<string, number>();
  async chat(): Promise<string> {
    return '';
  }
  async structured<T>(): Promise<T> {
    throw new Error('unused');
  }
  async scoreOptions(_prompt: string, options: string[]): Promise<OptionScores> {
    const logScores = options.map((o) => this.table.get(o) ?? -10);
    let max = -Infinity;
    for (const s of logScores) max = Math.max(max, s);
    let sum = 0;
    const probabilities = logScores.map((s) => ((sum += Math.exp(s - max)), Math.exp(s - max)));
    for (let i = 0; i < probabilities.length; i++) probabilities[i]! /= sum;
    return { logScores, probabilities, method: 'logprobs' };
  }
  usage() {
    return { calls: 0, promptTokens: 0, completionTokens: 0, cacheHits: 0 };
  }
}

/** A cheap affordance model (a linear score of the call's text length) standing in for a learned one. */
const affordance: AffordanceModel = {
  id: 'bench:linear',
  async score(_obs: Observation, calls: readonly SkillCall[]) {
    const out = new Float32Array(calls.length);
    for (let i = 0; i < calls.length; i++) out[i] = 0.5 + 0.01 * (calls[i]!.skill.length % 10);
    return out;
  },
};

const model = new TableModel();
const agent = new SayCanAgent({ env, model, affordance, topK: 5 });
const candidates = await agent.candidates(instruction);
candidates.forEach((c, i) => model.table.set(c.text, -((i * 7919) % 97) / 10));

async function sayCanStep() {
  const observation = await env.observe();
  return agent.decide(instruction, ['find the apple'], observation, candidates);
}

/** The naive step: re-ground, then one precondition and one affordance query per candidate, full sort. */
async function naiveStep() {
  const observation = await env.observe();
  const cands: Candidate[] = groundPrimitives(env.primitives());
  // As SayCanAgent.candidates: 'done' once (an earlier version added a second one, which shifted Say).
  if (!cands.some((c) => c.call.skill === 'done')) cands.push({ call: { skill: 'done', args: {} }, text: 'done', source: 'primitive' });
  const prompt = agent.prompt(instruction, ['find the apple'], observation);
  const said = await model.scoreOptions(prompt, cands.map((c) => c.text));
  const scored = [];
  for (let i = 0; i < cands.length; i++) {
    const pre = env.preconditions(observation, [cands[i]!.call])[0]!;
    const learned = (await affordance.score(observation, [cands[i]!.call]))[0]!;
    const can = pre === false ? 0 : learned;
    scored.push({ ...cands[i]!, say: said.probabilities[i]!, can, score: said.probabilities[i]! * can });
  }
  scored.sort((a, b) => b.score - a.score);
  return scored.slice(0, 5);
}

/** Same answer from both, or the comparison means nothing: the same top 5, in order, same scores. */
function checkSame(fast: Awaited<ReturnType<typeof sayCanStep>>, slow: Awaited<ReturnType<typeof naiveStep>>) {
  // decide() also lists the model's own top 5 that the product pushed down; compare the top 5 by product.
  const top = fast.top.slice(0, 5);
  const same = top.length === slow.length && top.every((c, i) => c.text === slow[i]!.text && Math.abs(c.score - slow[i]!.score) < 1e-12);
  const a = top.map((c) => `${c.text}:${c.score.toFixed(12)}`).join(' | ');
  const b = slow.map((c) => `${c.text}:${c.score.toFixed(12)}`).join(' | ');
  if (!same) throw new Error(`SayCan and the naive step disagree:\n  ${a}\n  ${b}`);
}
checkSame(await sayCanStep(), await naiveStep());

/** ms per call of each, in alternating rounds (order swapped every round), results checked each round. */
async function interleaved(rounds: number, innerFast: number, innerSlow: number) {
  for (let i = 0; i < 10; i++) await sayCanStep(), await naiveStep();
  const fastMs: number[][] = [[], []];
  const slowMs: number[][] = [[], []];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2;
    const runFast = async () => {
      const t0 = performance.now();
      let last!: Awaited<ReturnType<typeof sayCanStep>>;
      for (let i = 0; i < innerFast; i++) last = await sayCanStep();
      fastMs[order]!.push((performance.now() - t0) / innerFast);
      return last;
    };
    const runSlow = async () => {
      const t0 = performance.now();
      let last!: Awaited<ReturnType<typeof naiveStep>>;
      for (let i = 0; i < innerSlow; i++) last = await naiveStep();
      slowMs[order]!.push((performance.now() - t0) / innerSlow);
      return last;
    };
    if (order === 0) checkSame(await runFast(), await runSlow());
    else {
      const slow = await runSlow();
      checkSame(await runFast(), slow);
    }
  }
  return { fastMs, slowMs };
}

const { fastMs, slowMs } = await interleaved(20, 20, 5);
const stepMs = median([...fastMs[0]!, ...fastMs[1]!]);
const naiveMs = median([...slowMs[0]!, ...slowMs[1]!]);
// Parts, for the table: ranking alone (Say and Can given).
const observation = await env.observe();
const said = await model.scoreOptions('', candidates.map((c) => c.text));
const pre = env.preconditions(observation, candidates.map((c) => c.call));
const learned = await affordance.score(observation, candidates.map((c) => c.call));
const rankMs = await time(() => rankCandidates(candidates, said.probabilities, combinePreconditions(pre, learned), pre, learned, 5), { inner: 50 });
const preMs = await time(() => env.preconditions(observation, candidates.map((c) => c.call)), { inner: 50 });

console.log(`SayCan decision, ${candidates.length} candidates, language model excluded (precomputed Say table):`);
console.log(`  20 alternating rounds (SayCan first / naive first), same top 5 checked every round`);
console.log(`  one step (observe + prompt + Say lookup + preconditions + affordance + rank): ${stepMs.toFixed(3)} ms (${median(fastMs[0]!).toFixed(3)} / ${median(fastMs[1]!).toFixed(3)})   (target <= 5 ms)`);
console.log(`    of which preconditions ${preMs.toFixed(3)} ms, Say x Can ranking ${rankMs.toFixed(3)} ms`);
console.log(`  naive step (re-ground, per-candidate precondition/affordance calls):        ${naiveMs.toFixed(3)} ms (${median(slowMs[0]!).toFixed(3)} / ${median(slowMs[1]!).toFixed(3)})`);
console.log(`  ratio naive / SayCan: ${(naiveMs / stepMs).toFixed(1)}x (by order: ${(median(slowMs[0]!) / median(fastMs[0]!)).toFixed(1)}x / ${(median(slowMs[1]!) / median(fastMs[1]!)).toFixed(1)}x)`);

// --- 2. kitchen world steps per second -----------------------------------------------------------

const base = initialState(7);
const objects = ['apple', 'coke', 'sponge', 'kettle chips'];
const pool = relevantActions(objects);
// A fixed action stream mixing feasible and infeasible actions (about 1 in 4 feasible).
const rng = (() => {
  let s = 12345;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
})();
const stream: KitchenAction[] = Array.from({ length: 4096 }, () => pool[Math.floor(rng() * pool.length)]!);

/** The naive pure step: deep-copy the whole state by JSON, then apply the effect in place. */
function jsonStep(state: KitchenState, action: KitchenAction): KitchenState {
  const s = JSON.parse(JSON.stringify(state)) as KitchenState;
  s.t++;
  if (whyNot(state, action) !== null) return s;
  const a = action.args as Record<string, string>;
  switch (action.skill) {
    case 'find':
      s.robot.at = state.objects[a['object']!]!;
      break;
    case 'go to':
      s.robot.at = a['location']!;
      break;
    case 'pick up':
      s.robot.holding = a['object']!;
      s.objects[a['object']!] = 'robot';
      break;
    case 'put down':
      s.robot.holding = null;
      s.objects[a['object']!] = state.robot.at;
      break;
    case 'place':
      s.robot = { at: a['location']!, holding: null };
      s.objects[a['object']!] = a['location']!;
      break;
    case 'bring to user':
      s.robot.at = 'user';
      break;
    case 'open drawer':
    case 'close drawer':
      s.drawers[a['drawer']!] = action.skill === 'open drawer';
      break;
  }
  return s;
}

function run(stepFn: (s: KitchenState, a: KitchenAction) => KitchenState, n: number): { perSec: number; state: KitchenState } {
  let s = base;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) s = stepFn(s, stream[i & 4095]!);
  return { perSec: n / ((performance.now() - t0) / 1000), state: s };
}

const pureStep = (s: KitchenState, a: KitchenAction) => step(s, a).state;
run(pureStep, 200_000);
run(jsonStep, 50_000);
// Alternating rounds, order swapped every round, so both see the same load.
const pureRuns: number[] = [];
const jsonRuns: number[] = [];
for (let r = 0; r < 6; r++) {
  if (r % 2 === 0) pureRuns.push(run(pureStep, 200_000).perSec), jsonRuns.push(run(jsonStep, 50_000).perSec);
  else jsonRuns.push(run(jsonStep, 50_000).perSec), pureRuns.push(run(pureStep, 200_000).perSec);
}
const pure = median(pureRuns);
const json = median(jsonRuns);
const perRoundWorld = median(pureRuns.map((p, i) => p / jsonRuns[i]!));
// Both must end in the same world.
const a = run(pureStep, 10_000).state;
const b = run(jsonStep, 10_000).state;
if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('the JSON-cloning baseline diverged from step()');

const wrapped = new KitchenEnvironment({ seed: 7 });
const wrapN = 100_000;
let t0 = performance.now();
for (let i = 0; i < wrapN; i++) await wrapped.execute(stream[i & 4095]! as SkillCall);
const wrappedPerSec = wrapN / ((performance.now() - t0) / 1000);
t0 = performance.now();
const obsN = 20_000;
for (let i = 0; i < obsN; i++) kitchenObservation(base);
const obsPerSec = obsN / ((performance.now() - t0) / 1000);

const k = (x: number) => `${(x / 1000).toFixed(0)}k`;
console.log(`\nKitchen world (${stream.length}-action stream, ~${Math.round((100 * stream.filter((x) => whyNot(base, x) === null).length) / stream.length)}% feasible from the start):`);
console.log(`  pure step():                 ${k(pure)} steps/s   (target >= 100k)`);
console.log(`  JSON-clone baseline:         ${k(json)} steps/s`);
console.log(`  ratio step() / baseline:     ${(pure / json).toFixed(1)}x (median of per-round ratios ${perRoundWorld.toFixed(1)}x; 6 alternating rounds)`);
console.log(`  Environment.execute():       ${k(wrappedPerSec)} steps/s (ajv validation, events)`);
console.log(`  kitchenObservation():        ${k(obsPerSec)} observations/s (JSON + text + ${base && kitchenObservation(base).features.length} features)`);
