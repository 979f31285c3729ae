import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKit } from '../../kits/registry.js';
import type { KitSession } from '../../kits/kit.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { VoyagerLearner, type LearnerEvent, type TaskResult } from '../../agents/voyager/learner.js';
import { Critic } from '../../agents/voyager/critic.js';
import { compileComposite, type CompositeSpec } from '../../agents/evolve/composite.js';
import { parseSkillCode } from '../../skills/code.js';
import { KitchenEnvironment } from '../../envs/kitchen/environment.js';

const quiet = { logger: { warn() {}, info() {} } as never };

/** A learner on a kitchen session with the kit's offline curriculum and writer (no language model). */
function offlineLearner(session: KitSession, library: SkillLibrary, runtime: SkillRuntime, agent: string, onEvent?: (e: LearnerEvent) => void) {
  const { curriculum, writer } = session.offlineLearner!();
  return new VoyagerLearner({ env: session.env, library, runtime, curriculum, writer, critic: new Critic(session.env), agent, maxRounds: 2, skillTimeoutMs: 20_000, onEvent });
}

describe('the learner on the kitchen with the offline curriculum and plan writer', function () {
  this.timeout(120_000);
  let dir: string;
  let library: SkillLibrary;
  const runtime = new SkillRuntime({ memoryMb: 64 });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-learn-kitchen-'));
    library = await SkillLibrary.open(join(dir, 'library'), quiet);
  });
  afterEach(async () => {
    await library.close();
    rmSync(dir, { recursive: true, force: true });
  });
  after(async () => runtime.close());

  it('learns skills for tasks of every family, then a second learner (fresh kitchen, same library) reuses them all', async () => {
    const kit = await loadKit('kitchen');
    const first = await kit.open({ seed: '4' });
    const session0Writer = first.offlineLearner!().writer.id;
    let results: TaskResult[];
    const tasks: string[] = [];
    try {
      const learner = offlineLearner(first, library, runtime, 'alice', (e) => e.type === 'task' && tasks.push(`${e.task.description} [${e.task.context?.split(' task')[0]}]`));
      results = (await learner.learn({ iterations: 8 })).results;
    } finally {
      await first.close();
    }
    assert.equal(results.length, 8);
    assert.ok(results.every((r) => r.success && !r.reused), `every task learned anew: ${JSON.stringify(results)}`);
    assert.deepEqual(new Set(tasks.map((t) => /\[(.+)\]/.exec(t)![1])), new Set(['single', 'fetch', 'verbs', 'long-horizon']), tasks.join('\n'));
    assert.equal(await library.count(), 8);
    const learned = await library.list({ env: 'kitchen' });
    assert.ok(learned.every((s) => s.status === 'verified' && s.provenance.model === session0Writer), learned.map((s) => s.provenance.model).join());
    assert.ok(learned.some((s) => /kitchen\.pickUp\("[^"]+"\)/.test(s.code)), 'skill code in the kitchen call style');

    const second = await kit.open({ seed: '4' });
    try {
      const again = await offlineLearner(second, library, runtime, 'bob').learn({ iterations: 8 });
      assert.deepEqual(again.results.map((r) => r.task), results.map((r) => r.task), 'the same tasks, in the same order');
      assert.ok(again.results.every((r) => r.success && r.reused && r.rounds === 0), JSON.stringify(again.results));
      assert.equal(await library.count(), 8, 'nothing new written');
    } finally {
      await second.close();
    }
  });

  it('the curriculum proposes only what the planner reaches from the state now, and stops when nothing is left', async () => {
    const kit = await loadKit('kitchen');
    const session = await kit.open({ seed: '1' });
    const { curriculum } = session.offlineLearner!();
    const env = session.env as KitchenEnvironment;
    const completed: string[] = [];
    for (let i = 0; i < 4; i++) {
      const task = (await curriculum.next({ observation: await env.observe(), completed, failed: [], iteration: i }))!;
      const held = await env.check(task);
      assert.equal(held.success, false, `"${task.description}" does not hold yet`);
      completed.push(task.description);
    }
    // A kitchen with every object handed over has nothing left to fetch, place or throw away.
    const emptied = new KitchenEnvironment({ state: { ...env.state, objects: Object.fromEntries(Object.keys(env.state.objects).map((o) => [o, 'user'])) } });
    const families = ['single', 'fetch', 'verbs', 'long-horizon'];
    const proposals: string[] = [];
    for (let i = 0; i < 40; i++) {
      const t = await curriculum.next({ observation: await emptied.observe(), completed: proposals, failed: [], iteration: i });
      if (!t) break;
      proposals.push(t.description);
    }
    assert.ok(proposals.length > 0 && proposals.every((p) => /^(go to|open|close) the /.test(p)), proposals.join(', '));
    assert.equal(await curriculum.next({ observation: await emptied.observe(), completed: proposals, failed: [], iteration: 99 }), null, `nothing left in ${families.join(', ')}`);
    await session.close();
  });

  it("the plan writer calls its own earlier skills where their steps are part of a new plan (known from what it wrote, or from the stored spec)", async () => {
    const kit = await loadKit('kitchen');
    const session = await kit.open({ seed: '4' });
    try {
      const env = session.env as KitchenEnvironment;
      const object = Object.keys(env.state.objects).find((o) => !/drawer/.test(env.state.objects[o]!))!;
      const observation = await env.observe();
      const request = (description: string, goal: Record<string, unknown>, skills: Awaited<ReturnType<typeof library.list>>) =>
        ({ task: { description, goal }, env: 'kitchen', observation, primitives: env.primitives(), skills, round: 1 });
      const writer = session.offlineLearner!().writer;
      const pick = await writer.write(request(`pick up the ${object}`, { holding: object }, []));
      const { skill: stored } = await library.add({ name: pick.name, description: pick.explanation, code: pick.code, env: 'kitchen', status: 'verified' });
      const bring = await writer.write(request(`bring me the ${object}`, { userHas: object }, [stored]));
      assert.match(bring.code, new RegExp(`${pick.name}\\(kitchen\\)`), bring.code);
      assert.match(bring.plan, new RegExp(`calls ${pick.name} from the library`));
      // Another writer (another process) knows the skill only from the spec stored with it.
      const { skill: withSpec } = await library.add({ name: 'pickItUp', description: pick.explanation, code: pick.code.replace(pick.name, 'pickItUp'), params: pick.params, env: 'kitchen', status: 'verified' });
      const other = await session.offlineLearner!().writer.write(request(`bring me the ${object}`, { userHas: object }, [withSpec]));
      assert.match(other.code, /pickItUp\(kitchen\)/);
      const none = await session.offlineLearner!().writer.write(request(`bring me the ${object}`, { userHas: object }, [stored]));
      assert.doesNotMatch(none.code, new RegExp(pick.name), 'code whose steps it cannot know is not guessed at');
    } finally {
      await session.close();
    }
  });

  it('the plan writer calls library skills that do part of the plan (an evolved composite, bound to its parameters)', async () => {
    const kit = await loadKit('kitchen');
    const session = await kit.open({ seed: '4' });
    const env = session.env as KitchenEnvironment;
    const object = Object.keys(env.state.objects).find((o) => !/drawer/.test(env.state.objects[o]!))!;
    const spec: CompositeSpec = {
      name: 'fetchForUser',
      description: 'Fetch an object and hand it to the user.',
      env: 'kitchen',
      params: [{ name: 'object', schema: { type: 'string', enum: Object.keys(env.state.objects) } }],
      steps: [
        { skill: 'find', args: { object: { param: 'object' } } },
        { skill: 'pick up', args: { object: { param: 'object' } } },
        { skill: 'go to', args: { location: { value: 'user' } } },
        { skill: 'put down', args: { object: { param: 'object' } } },
      ],
    };
    await library.add({ ...compileComposite(spec, env.primitives(), { style: kit.callStyle }), status: 'verified' });
    try {
      const events: LearnerEvent[] = [];
      const learner = new VoyagerLearner({
        env, library, runtime, agent: 'carol', maxRounds: 1, critic: new Critic(env),
        writer: session.offlineLearner!().writer,
        curriculum: { id: 'one task', next: async (ctx) => (ctx.completed.length ? null : { description: `bring me the ${object}`, goal: { userHas: object } }) },
        onEvent: (e) => events.push(e),
      });
      const [result] = (await learner.learn({ iterations: 1 })).results;
      assert.ok(result?.success, JSON.stringify(result));
      const learned = (await library.get(result.skill!))!;
      assert.match(learned.code, new RegExp(`fetchForUser\\(kitchen, ${JSON.stringify(object)}\\)`));
      assert.ok(parseSkillCode(learned.code, learned.name).calls.has('fetchForUser'));
      assert.deepEqual(learned.dependencies, ['fetchForUser'], 'stored with its dependency');
      assert.equal(env.state.objects[object], 'user');
    } finally {
      await session.close();
    }
  });
});
