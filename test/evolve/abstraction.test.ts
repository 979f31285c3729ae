import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compileComposite,
  compositeOf,
  draftSkill,
  expansions,
  functionCallStyle,
  LlmReflector,
  matchPrefix,
  minePatterns,
  SkillEvolver,
  StatisticalReflector,
  type CompositeSpec,
  type EvolveEvent,
  type Trajectory,
} from '../../agents/evolve/index.js';
import { sandboxSkillRunner } from '../../agents/act/index.js';
import { Random } from '../../core/random.js';
import type { JsonValue } from '../../core/types.js';
import { initialState, KitchenEnvironment, SAYCAN_KITCHEN } from '../../envs/kitchen/index.js';
import { kitchenTaskPlanner } from '../../envs/kitchen/task-planner.js';
import { EpisodicMemory } from '../../memory/episodic.js';
import { parseSkillCode } from '../../skills/code.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { scriptedChatModel } from '../support/scripted-chat.js';

const primitives = new KitchenEnvironment().primitives();
const OBJECTS = SAYCAN_KITCHEN.objects.map((o) => o.id);
const call = (skill: string, args: Record<string, JsonValue> = {}) => ({ call: { skill, args }, success: true, error: null });

/** Episodes with the hand-over sequence for different objects, buried in noise and failures. */
function trajectories(): Trajectory[] {
  const r = new Random(5);
  const out: Trajectory[] = [];
  for (let e = 0; e < 12; e++) {
    const o = OBJECTS[e % OBJECTS.length]!;
    const steps: Trajectory['steps'] = [];
    for (let k = r.int(0, 2); k > 0; k--) steps.push(call('go to', { location: r.pick(['table', 'sink', 'far counter']) }));
    if (e % 3 === 0) steps.push({ call: { skill: 'pick up', args: { object: 'sponge' } }, success: false, error: 'the sponge is not here' });
    steps.push(call('find', { object: o }), call('pick up', { object: o }), call('bring to user', { object: o }), call('put down', { object: o }));
    if (e % 2 === 0) {
      const p = OBJECTS[(e + 5) % OBJECTS.length]!;
      steps.push(call('find', { object: p }), call('pick up', { object: p }), call('place', { object: p, location: 'trash can' }));
    }
    steps.push(call('done'));
    out.push({ episode: `ep${e}`, task: 'synthetic', steps, solved: true });
  }
  return out;
}

describe('evolve: abstraction of repeated sequences into composite skills', function () {
  this.timeout(30_000);
  let runtime: SkillRuntime;
  let dir: string;
  let library: SkillLibrary;
  before(async () => {
    runtime = new SkillRuntime();
    dir = mkdtempSync(join(tmpdir(), 'sf-evolve-abs-'));
    library = await SkillLibrary.open(dir);
  });
  after(async () => {
    await runtime.close();
    await library.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the repeated hand-over sequence, lifts the object into a parameter and keeps the trash can constant', () => {
    const mined = minePatterns(trajectories(), primitives, { env: 'kitchen', minSupport: 3 });
    const top = mined[0]!;
    assert.equal(top.signature, 'find(object=$object) pick up(object=$object) bring to user(object=$object) put down(object=$object)');
    assert.equal(top.support, 12);
    assert.equal(top.spec.name, 'findPickUpBringToUserPutDown');
    assert.deepEqual(top.spec.params.map((p) => p.name), ['object']);
    assert.deepEqual(top.spec.params[0]!.schema['enum'], OBJECTS);
    const bin = mined.find((m) => m.spec.steps[m.spec.steps.length - 1]!.skill === 'place')!;
    assert.ok(bin, mined.map((m) => m.signature).join('\n'));
    assert.match(bin.spec.name, /FindPickUpPlaceAtTrashCan$/);
    const place = bin.spec.steps[bin.spec.steps.length - 1]!;
    const placed = (place.args['object'] as { param: string }).param;
    assert.deepEqual(place.args['location'], { value: 'trash can' }, 'the constant location stays a constant');
    assert.deepEqual(bin.spec.steps[bin.spec.steps.length - 2]!.args, { object: { param: placed } }, 'picked and placed object are one parameter');
    // Sub-sequences of the chosen pattern with no more support are not offered separately.
    assert.ok(!mined.some((m) => m.signature === 'bring to user(object=$object) put down(object=$object)'));
    // Failed steps and 'done' never enter a pattern.
    assert.ok(mined.every((m) => !/done|sponge/.test(m.signature)));
    // Too little support: nothing.
    assert.deepEqual(minePatterns(trajectories().slice(0, 2), primitives, { env: 'kitchen', minSupport: 3 }), []);
  });

  it('writes the composite as code that parses, carries its spec and params schema, and runs in the sandbox', async () => {
    const spec = minePatterns(trajectories(), primitives, { env: 'kitchen', minSupport: 3 })[0]!.spec;
    const input = compileComposite(spec, primitives);
    const parsed = parseSkillCode(input.code, spec.name);
    assert.deepEqual(parsed.params, ['kitchen', 'object']);
    assert.match(input.code, /kitchen\.find\(object\)/);
    assert.match(input.code, /kitchen\.bringToUser\(object\)/);
    assert.equal(input.params!['x-say'], 'find the {object}, pick up the {object}, bring the {object} to you and put down the {object}');
    assert.deepEqual(compositeOf({ params: input.params! }), spec);
    const s = initialState(3);
    const env = new KitchenEnvironment({ state: { ...s, objects: { ...s.objects, apple: 'table' } } });
    const outcome = await sandboxSkillRunner(runtime, library)(draftSkill(input), { object: 'apple' }, { env });
    assert.equal(outcome.success, true, outcome.error);
    assert.equal(env.state.objects['apple'], 'user');
    // The same code fails cleanly, naming the step, where the object is shut in a drawer.
    const shut = new KitchenEnvironment({ state: { ...s, objects: { ...s.objects, apple: 'top drawer' } } });
    const failed = await sandboxSkillRunner(runtime, library)(draftSkill(input), { object: 'apple' }, { env: shut });
    assert.equal(failed.success, false);
    assert.match(failed.error!, /\[step 1\/4\] find the apple failed: the apple is inside the closed top drawer/);
  });

  it('writes code for primitives that are global functions and throw (the Minecraft style), naming the failed step', async () => {
    const toy = [
      { name: 'mineBlock', description: 'mine', params: { type: 'object', required: ['name'], properties: { name: { type: 'string', enum: ['oak_log', 'stone'] }, count: { type: 'integer' } } } },
      { name: 'craftItem', description: 'craft', params: { type: 'object', required: ['name'], properties: { name: { type: 'string', enum: ['oak_planks'] }, count: { type: 'integer' } } } },
    ];
    const spec: CompositeSpec = {
      name: 'planksFromLog',
      description: 'Mine a log and craft planks.',
      env: 'minecraft',
      params: [{ name: 'log', schema: { type: 'string', enum: ['oak_log', 'stone'] } }],
      steps: [
        { skill: 'mineBlock', args: { name: { param: 'log' }, count: { value: 1 } } },
        { skill: 'craftItem', args: { name: { value: 'oak_planks' } } },
      ],
    };
    const input = compileComposite(spec, toy, { style: functionCallStyle('bot') });
    assert.match(input.code, /await act\(.*, mineBlock\(bot, log, 1\)\)/);
    assert.match(input.code, /craftItem\(bot, "oak_planks", undefined\)/);
    const calls: string[] = [];
    const endowments = {
      bot: { username: 'steve' },
      mineBlock: async (_bot: unknown, name: string, count: number) => {
        if (name === 'stone') throw new Error('stone needs a wooden_pickaxe');
        calls.push(`mine ${name} ${count}`);
      },
      craftItem: async (_bot: unknown, name: string, count = 1) => void calls.push(`craft ${name} ${count}`),
    };
    const ok = await runtime.run({ code: input.code, main: 'return await planksFromLog(bot, "oak_log")', endowments, timeoutMs: 5000 });
    assert.equal(ok.ok, true, ok.error);
    assert.deepEqual(calls, ['mine oak_log 1', 'craft oak_planks 1']);
    const bad = await runtime.run({ code: input.code, main: 'return await planksFromLog(bot, "stone")', endowments, timeoutMs: 5000 });
    assert.equal(bad.ok, false);
    assert.match(bad.error!, /\[step 1\/2\] mineBlock .*failed: stone needs a wooden_pickaxe/);
  });

  it('untrusted proposal text cannot escape into the generated code', async () => {
    const hostile: CompositeSpec = {
      name: 'innocent',
      description: 'Looks fine.\nprocess.exit(1) // \u2028 globalThis.pwned = 1',
      env: 'kitchen',
      params: [],
      steps: [{ skill: 'go to', args: { location: { value: 'table"); globalThis.pwned = 1; ("' } } }],
    };
    const input = compileComposite(hostile, primitives);
    parseSkillCode(input.code, 'innocent');
    assert.ok(input.code.split('\n').every((line) => !/^\s*(process|globalThis)/.test(line)), input.code);
    const env = new KitchenEnvironment({ seed: 1 });
    const r = await sandboxSkillRunner(runtime, library)(draftSkill(input), {}, { env });
    assert.equal(r.success, false);
    assert.match(r.error!, /invalid arguments for 'go to'/, 'the odd constant reached the kitchen as a plain string and was refused');
    assert.throws(() => compileComposite({ ...hostile, params: [{ name: 'class', schema: { type: 'string', enum: ['a'] } }] }, primitives), /reserved word/);
    assert.throws(() => compileComposite({ ...hostile, params: [{ name: 'act', schema: { type: 'string', enum: ['a'] } }] }, primitives), /'act' is reserved/);
    assert.throws(() => compileComposite({ ...hostile, params: [{ name: 'kitchen', schema: { type: 'string', enum: ['a'] } }] }, primitives), /clashes with the endowment/);
  });

  it('matches a composite against the start of a plan, binding its parameters', () => {
    const spec = minePatterns(trajectories(), primitives, { env: 'kitchen', minSupport: 3 })[0]!.spec;
    const plan = [
      { skill: 'find', args: { object: 'coke' } },
      { skill: 'pick up', args: { object: 'coke' } },
      { skill: 'bring to user', args: { object: 'coke' } },
      { skill: 'put down', args: { object: 'coke' } },
      { skill: 'find', args: { object: 'apple' } },
    ];
    assert.deepEqual(matchPrefix(spec, expansions(spec)[0]!, plan), { object: 'coke' });
    assert.equal(matchPrefix(spec, expansions(spec)[0]!, plan.slice(0, 3)), null, 'shorter plan');
    assert.equal(matchPrefix(spec, expansions(spec)[0]!, [plan[0]!, { skill: 'pick up', args: { object: 'apple' } }, plan[2]!, plan[3]!]), null, 'inconsistent binding');
  });

  it('stores a composite only after it passes verification on fresh episodes', async () => {
    const memory = EpisodicMemory.open({ file: ':memory:' });
    const events: EvolveEvent[] = [];
    const evolver = new SkillEvolver({
      env: 'kitchen',
      primitives,
      library,
      memory,
      runSkill: sandboxSkillRunner(runtime, library),
      planner: kitchenTaskPlanner(),
      trialEnv: (i) => new KitchenEnvironment({ seed: `abs-verify:${i}` }),
      onEvent: (e) => events.push(e),
    });
    const object = { type: 'string', enum: OBJECTS };
    // Opening a drawer needs a free hand: this sequence can never work after picking something up.
    const broken: CompositeSpec = {
      name: 'grabThenOpen',
      description: 'Pick something up, then open a drawer.',
      env: 'kitchen',
      params: [{ name: 'object', schema: object }, { name: 'drawer', schema: { type: 'string', enum: ['top drawer'] } }],
      steps: [
        { skill: 'find', args: { object: { param: 'object' } } },
        { skill: 'pick up', args: { object: { param: 'object' } } },
        { skill: 'open drawer', args: { drawer: { param: 'drawer' } } },
      ],
    };
    assert.equal(await evolver.abstractOne(broken), null);
    assert.equal(await library.get('grabThenOpen'), undefined, 'a composite that fails verification is not stored');
    const rejected = events.find((e) => e.type === 'rejected')!;
    assert.match((rejected as { reason: string }).reason, /failed verification on fresh episodes \(0% passed\).*\[step 3\/3\] open the top drawer failed/);

    const good = minePatterns(trajectories(), primitives, { env: 'kitchen', minSupport: 3 })[0]!.spec;
    const stored = await evolver.abstractOne(good);
    assert.ok(stored);
    assert.equal(stored.status, 'verified');
    assert.equal(stored.stats.attempts, 3, 'verification runs count as recorded outcomes');
    assert.equal(stored.stats.successes, 3);
    assert.equal(stored.provenance.source, 'evolve:statistical');
    assert.equal(evolver.counters.abstracted, 1);
    assert.equal(evolver.counters.rejected, 1);
    memory.close();
  });

  it('reflects with a language model through the prompt file; proposals that do not check are dropped', async () => {
    const answer = {
      skills: [
        {
          name: 'fetchForUser',
          description: 'Fetch an object and hand it to the user.',
          params: [{ name: 'item', like: 'pick up.object' }],
          steps: [
            { skill: 'find', args: { object: { param: 'item' } } },
            { skill: 'pick up', args: { object: { param: 'item' } } },
            { skill: 'bring to user', args: { object: { param: 'item' } } },
            { skill: 'put down', args: { object: { param: 'item' } } },
          ],
        },
        { name: 'teleport', description: 'Not a primitive.', params: [], steps: [{ skill: 'beam', args: {} }, { skill: 'done', args: {} }] },
      ],
    };
    const model = scriptedChatModel(() => `Here you go:\n${JSON.stringify(answer)}`);
    const reflector = new LlmReflector(model, { limit: 2 });
    const specs = await reflector.reflect(trajectories(), { env: 'kitchen', primitives, existing: new Set(), names: new Set(['findPickUp']) });
    assert.deepEqual(specs.map((s) => s.name), ['fetchForUser']);
    assert.equal(specs[0]!.source, 'evolve:llm');
    assert.deepEqual(specs[0]!.params[0]!.schema['enum'], OBJECTS);
    assert.equal(reflector.rejected.length, 1);
    assert.match(reflector.rejected[0]!, /teleport: .*'beam', which is not a primitive/);
    const prompt = model.transcript[0]!.map((m) => m.content).join('\n');
    assert.match(prompt, /episode ep0 \(synthetic; solved\)/);
    assert.match(prompt, /FAILED \(the sponge is not here\)/);
    assert.match(prompt, /Skills the robot already has \(do not propose these again\):\nfindPickUp/);
    // The statistical reflector leaves out what the library already has.
    const again = await new StatisticalReflector({ minSupport: 3 }).reflect(trajectories(), {
      env: 'kitchen',
      primitives,
      existing: new Set(['find(object=$object) pick up(object=$object) bring to user(object=$object) put down(object=$object)']),
      names: new Set(),
    });
    assert.ok(again.length > 0 && again.every((s) => s.name !== 'findPickUpBringToUserPutDown'));
    // A different sequence whose name is taken gets a number instead of becoming a version of it.
    const renamed = await new StatisticalReflector({ minSupport: 3 }).reflect(trajectories(), { env: 'kitchen', primitives, existing: new Set(), names: new Set(['findPickUpBringToUserPutDown']) });
    assert.equal(renamed[0]!.name, 'findPickUpBringToUserPutDown2');
    assert.equal(new Set(renamed.map((s) => s.name)).size, renamed.length);
  });
});
