/**
 * Evolution in Minecraft: in the embedded world (one world for the whole file, a new bot per
 * episode), the agent solves tasks with Voyager's primitives guided by the tech-tree planner; the
 * repeated "craft planks, then craft <item>" is abstracted into a composite that verifies in the
 * sandbox on fresh bots in the real world, and is then used: fewer decisions per solved held-out task.
 *
 * To stay well inside the time budget the test hands every new bot one oak log through the server
 * console (the test controls the world; product code never does this): digging a tree by hand costs
 * 10-20 s per log. `skillforge evolve --env minecraft` runs the same loop from empty inventories.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvolvingAgent, SkillEvolver, StatisticalReflector, compositeOf, minePatterns, functionCallStyle, type EvolveEvent } from '../../agents/evolve/index.js';
import { sandboxSkillRunner } from '../../agents/act/index.js';
import type { Observation, SkillCall } from '../../core/types.js';
import { MinecraftEpisodes } from '../../envs/minecraft/episodes.js';
import { startEmbeddedWorld, type EmbeddedWorld } from '../../envs/minecraft/server/world.js';
import { MinecraftTechTree } from '../../envs/minecraft/tech-tree.js';
import { minecraftEvolvePrimitives, minecraftTaskPlanner, minecraftTasks, type MinecraftGoal } from '../../envs/minecraft/task-planner.js';
import { give, waitFor } from '../minecraft/windows-fixture.js';
import { EpisodicMemory } from '../../memory/episodic.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';

const TRAIN: MinecraftGoal[] = [
  { item: 'stick', count: 4 },
  { item: 'crafting_table', count: 1 },
];
const HELD_OUT: MinecraftGoal[] = [
  { item: 'crafting_table', count: 1 },
  { item: 'stick', count: 4 },
];

describe('evolve: Minecraft (embedded world)', function () {
  this.timeout(150_000);
  let world: EmbeddedWorld;
  let episodes: MinecraftEpisodes;
  let runtime: SkillRuntime;
  let dir: string;
  let library: SkillLibrary;
  let memory: EpisodicMemory;
  before(async () => {
    world = await startEmbeddedWorld({ seed: 1 });
    const tree = new MinecraftTechTree();
    episodes = new MinecraftEpisodes(world, {
      prefix: 'evo',
      primitives: minecraftEvolvePrimitives([...TRAIN, ...HELD_OUT], tree),
      prepare: async (env) => {
        give(world.server, env.bot.username, 'oak_log', 1);
        await waitFor(world.server, () => env.bot.inventory.items().some((i) => i.name === 'oak_log'), 5_000, 'the oak log');
      },
    });
    runtime = new SkillRuntime();
    dir = mkdtempSync(join(tmpdir(), 'sf-evolve-mc-'));
    library = await SkillLibrary.open(dir);
    memory = EpisodicMemory.open({ file: join(dir, 'episodic.db') });
  });
  after(async () => {
    memory?.close();
    await runtime?.close();
    await library?.close();
    await episodes?.close();
    await world?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('abstracts craft-planks-then-craft-item into a composite verified in the world, and later tasks take fewer decisions', async () => {
    const tree = new MinecraftTechTree();
    const events: EvolveEvent[] = [];
    const log: string[] = [];
    const evolver = new SkillEvolver({
      env: 'minecraft',
      primitives: minecraftEvolvePrimitives([...TRAIN, ...HELD_OUT], tree),
      library,
      memory,
      runSkill: sandboxSkillRunner(runtime, library, { timeoutMs: 120_000 }),
      planner: minecraftTaskPlanner({ tree }),
      trialEnv: (i) => episodes.open(`trial:${i}`),
      style: functionCallStyle('bot'),
      epsilon: 0,
      reflector: new StatisticalReflector({ minSupport: 3, domain: 'observed' }),
      reflectEvery: 4,
      verifyTrials: 2,
      maxSteps: 12,
      seed: 3,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'episode') log.push(`episode ${e.id}: ${e.solved ? 'solved' : 'FAILED'} in ${e.decisions}: ${e.steps.map((s) => `${s.call.skill}${s.success ? '' : '!'}`).join(' ')}`);
        else log.push(`${e.type}: ${JSON.stringify(e).slice(0, 300)}`);
      },
    });
    const heldOut = minecraftTasks('held-out', HELD_OUT.length, (id) => episodes.open(id), { goals: HELD_OUT, tree });
    const before = await evolver.evaluate(heldOut);
    assert.equal(before.solved, HELD_OUT.length, `baseline: ${JSON.stringify(before.results.map((r) => [r.task, r.reason, r.steps.map((s) => s.error)]))}`);
    assert.ok(before.results.every((r) => r.steps.every((s) => s.source === 'primitive')), 'no skills yet');

    await evolver.evolve(minecraftTasks('train', 4, (id) => episodes.open(id), { goals: TRAIN, tree }));
    const skills = (await library.list({ env: 'minecraft', status: ['verified'] })).filter((s) => compositeOf(s));
    assert.ok(skills.length >= 1, `a composite was abstracted and verified:\n${log.join('\n')}`);
    const composite = skills.find((s) => compositeOf(s)!.steps.map((x) => x.skill).join(' ') === 'craftItem craftItem');
    assert.ok(composite, `craftItem -> craftItem composite among ${skills.map((s) => s.name).join(', ')}`);
    assert.match(composite.code, /craftItem\(bot, "oak_planks", 1\)/);
    // The crafted item is a parameter whose values are the ones seen working.
    assert.deepEqual([...((composite.params.properties as any).name.enum as string[])].sort(), ['crafting_table', 'stick']);
    const verified = events.find((e) => e.type === 'abstracted' && e.skill === composite.name);
    assert.ok(verified && verified.type === 'abstracted' && verified.verification.trials.every((t) => t.success), 'verified on fresh bots in the world');

    const after = await evolver.evaluate(heldOut);
    assert.equal(after.solved, HELD_OUT.length, `after: ${JSON.stringify(after.results.map((r) => [r.task, r.reason, r.steps.map((s) => s.error)]))}`);
    assert.ok(after.results.every((r) => r.steps.some((s) => s.source === 'library' && s.success)), 'every held-out task used a learned skill');
    assert.ok(after.decisionsPerSolved < before.decisionsPerSolved, `decisions per solved task ${before.decisionsPerSolved} -> ${after.decisionsPerSolved}`);
    // Same primitive work, fewer decisions: the saving is the composite, not an easier world.
    assert.equal(after.primitiveSteps, before.primitiveSteps);
    console.log(`      minecraft: ${before.decisionsPerSolved.toFixed(2)} -> ${after.decisionsPerSolved.toFixed(2)} decisions per solved held-out task (x${(after.decisionsPerSolved / before.decisionsPerSolved).toFixed(2)}), ${episodes.joined} bots joined`);
  });
});

describe('evolve: Minecraft tech-tree planner and value domains (no world)', () => {
  const tree = new MinecraftTechTree();
  const planner = minecraftTaskPlanner({ tree });
  const observe = (inventory: Record<string, number>, blockCounts: Record<string, number> = { log: 10 }, voxels: string[] = []) =>
    ({ json: { inventory, blockCounts, voxels }, text: '', features: [] }) as unknown as Observation;
  const show = (plan: SkillCall[] | null) => (plan === null ? null : plan.map((c) => `${c.skill}(${Object.values(c.args).map((v) => JSON.stringify(v)).join(', ')})`));

  it('plans from the observed inventory to an inventory goal with the primitives, re-planning from any state', () => {
    const sticks = minecraftTasks('t', 1, () => null as never, { goals: [{ item: 'stick', count: 4 }], tree })[0]!.task;
    assert.deepEqual(show(planner(observe({}), sticks)), ['mineBlock("oak_log", 1)', 'craftItem("oak_planks", 1)', 'craftItem("stick", 1)']);
    assert.deepEqual(show(planner(observe({ birch_log: 1 }), sticks)), ['craftItem("birch_planks", 1)', 'craftItem("stick", 1)']);
    assert.deepEqual(show(planner(observe({ stick: 4 }), sticks)), []);
    // The wood in sight is the wood planned for; none within reach: explore first.
    assert.deepEqual(show(planner(observe({}, { log: 10 }, ['spruce_log']), sticks))!.slice(0, 1), ['mineBlock("spruce_log", 1)']);
    assert.equal(planner(observe({}, { log: 0 }), sticks)![0]!.skill, 'exploreUntil');
    // A family goal is met by any member.
    const planks = minecraftTasks('t', 1, () => null as never, { goals: [{ item: 'planks', count: 4 }], tree })[0]!.task;
    assert.deepEqual(planks.goal, { inventoryAny: { items: tree.groups.find((g) => g.name === 'planks')!.members, count: 4 } });
    assert.deepEqual(show(planner(observe({ jungle_planks: 4 }), planks)), []);
  });

  it('places a table for 3x3 recipes (crafting one when none is held or near) and gets the harvest tool before mining stone', () => {
    const pickaxe = { description: 'x', goal: { inventory: { stone_pickaxe: 1 } } };
    const plan = show(planner(observe({ oak_planks: 20 }, { log: 10, stone: 10 }), pickaxe))!;
    assert.ok(plan.indexOf('placeItem("crafting_table")') < plan.indexOf('craftItem("wooden_pickaxe", 1)'));
    assert.ok(plan.indexOf('craftItem("wooden_pickaxe", 1)') < plan.indexOf('mineBlock("stone", 3)'));
    assert.equal(plan[plan.length - 1], 'craftItem("stone_pickaxe", 1)');
    // With a table in reach, none is crafted.
    assert.ok(!show(planner(observe({ oak_planks: 20 }, { log: 10, stone: 10, crafting_table: 1 }), pickaxe))!.some((c) => c.includes('crafting_table')));
    assert.equal(planner(observe({}), { description: 'x', goal: { nearby: { furnace: 1 } } }), null, 'goals it cannot read: no plan');
    assert.equal(planner(observe({}), { description: 'x', goal: { inventory: { no_such_item: 1 } } }), null);
  });

  it('gives free-string arguments value domains from the tech tree, and mined parameters the values seen', () => {
    const prims = minecraftEvolvePrimitives([{ item: 'stick', count: 4 }, { item: 'crafting_table', count: 1 }], tree);
    const props = (name: string) => prims.find((p) => p.name === name)!.params.properties as Record<string, { enum?: unknown[] }>;
    assert.ok(props('mineBlock').name!.enum!.includes('oak_log'));
    assert.ok(props('craftItem').name!.enum!.includes('stick') && props('craftItem').name!.enum!.includes('oak_planks'));
    assert.ok(!prims.some((p) => p.name === 'smeltItem'), 'nothing to smelt for sticks');
    const calls = (item: string) => [
      { skill: 'craftItem', args: { name: 'oak_planks', count: 1 } },
      { skill: 'craftItem', args: { name: item, count: 1 } },
    ];
    const trajectories = ['stick', 'crafting_table', 'stick'].map((item, i) => ({
      episode: `e${i}`,
      task: 't',
      solved: true,
      steps: calls(item).map((call) => ({ call, success: true, error: null })),
    }));
    const [observed] = minePatterns(trajectories, prims, { env: 'minecraft', minSupport: 3, domain: 'observed' });
    assert.deepEqual(observed!.spec.params.map((p) => [p.name, p.schema.enum]), [['name', ['stick', 'crafting_table']]]);
    const [schema] = minePatterns(trajectories, prims, { env: 'minecraft', minSupport: 3 });
    assert.ok((schema!.spec.params[0]!.schema.enum as unknown[]).length > 2, 'schema domain: every craftable of the tree');
  });

  it('an episode whose decisions keep failing stops after maxFailures (a 35 s time-out each in Minecraft)', async () => {
    let calls = 0;
    const env = {
      id: 'stub',
      kind: 'minecraft',
      observe: async () => observe({}),
      primitives: () => minecraftEvolvePrimitives([{ item: 'stick', count: 4 }], tree),
      execute: async () => {
        calls++;
        return { success: false, error: 'mineBlock(oak_log, 1) timed out after 35000 ms', events: [], durationMs: 1 };
      },
      sandboxEndowments: () => ({}),
      check: async () => ({ success: false, reason: 'have 0/4 stick' }),
      close: async () => {},
    };
    const task = { description: 'obtain 4 stick', goal: { inventory: { stick: 4 } } };
    const r = await new EvolvingAgent({ env, planner, maxFailures: 3 }).run(task);
    assert.equal(r.stopped, 'failures');
    assert.equal(calls, 3);
    const unlimited = await new EvolvingAgent({ env, planner, maxSteps: 5 }).run(task);
    assert.equal(unlimited.stopped, 'max-steps');
  });
});
