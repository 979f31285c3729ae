import assert from 'node:assert/strict';
import { createMinecraftEnvironment, type MinecraftEnvironment } from '../../envs/minecraft/environment.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { setPrimitiveSemantics } from '../../envs/minecraft/primitives/index.js';

/** Voyager-style skill code, unchanged, through the sandboxed runtime with the environment's endowments. */
describe('Voyager skill code in the skill runtime against the embedded world', function () {
  this.timeout(40_000);
  let env: MinecraftEnvironment;
  let runtime: SkillRuntime;
  before(async () => {
    env = await createMinecraftEnvironment({ embedded: { seed: 1 }, username: 'sandboxed' });
    runtime = new SkillRuntime();
  });
  after(async () => {
    await runtime?.close();
    await env?.close();
  });

  it('runs a Voyager skill: find a log with mcData, mine it, craft planks', async () => {
    const code = `async function craftOakPlanks(bot) {
  const log = bot.findBlock({ matching: mcData.blocksByName.oak_log.id, maxDistance: 32 });
  if (!log) {
    bot.chat("No oak_log nearby");
    return;
  }
  const logs = bot.inventory.items().filter((item) => item.name === "oak_log");
  if (logs.length === 0) {
    await mineBlock(bot, "oak_log", 1);
  }
  await craftItem(bot, "oak_planks", 1);
  bot.chat("Crafted oak planks at " + new Vec3(0, 1, 0).offset(1, 1, 1));
}`;
    const res = await runtime.run({ code, main: 'await craftOakPlanks(bot)', endowments: (signal) => env.sandboxEndowments(signal), timeoutMs: 30_000 });
    assert.equal(res.ok, true, res.error);
    const check = await env.check({ description: 'planks', goal: { inventory: { oak_planks: 4 } } });
    assert.equal(check.success, true, check.reason);
  });

  it('a runaway skill is stopped at its time limit and the bot stops walking', async () => {
    const code = `async function wander(bot) {
  await exploreUntil(bot, new Vec3(1, 0, 0), 60, () => false);
}`;
    const t0 = Date.now();
    const res = await runtime.run({ code, main: 'await wander(bot)', endowments: (signal) => env.sandboxEndowments(signal), timeoutMs: 1500 });
    assert.equal(res.ok, false);
    assert.equal(res.failure, 'timeout');
    assert.ok(Date.now() - t0 < 5000);
    await env.bot.waitForTicks(5);
    assert.equal((env.bot as any).pathfinder.isMoving(), false);
    const after = await env.execute({ skill: 'mineBlock', args: { name: 'dirt', count: 1 } }, { timeoutMs: 20_000 });
    assert.equal(after.success, true, after.error);
  });

  it('by default a missing ingredient is said in chat and the skill goes on, as with Voyager\'s primitives', async () => {
    const code = `async function needTable(bot) {
  await craftItem(bot, "wooden_pickaxe", 1);
  bot.chat("carried on");
  return "returned";
}`;
    const mark = env.recorder.mark();
    const res = await runtime.run({ code, main: 'return await needTable(bot)', endowments: (signal) => env.sandboxEndowments(signal), timeoutMs: 10_000 });
    assert.equal(res.ok, true, res.error);
    assert.equal(res.value, 'returned');
    const chat = env.recorder.since(mark).filter((e) => e.type === 'chat').map((e) => e.text);
    assert.ok(chat.some((c) => /^I cannot make wooden_pickaxe because I need: /.test(c)), chat.join(' | '));
  });

  it('with strict semantics primitive errors reach the skill as readable errors', async () => {
    const code = `async function needTable(bot) {
  await craftItem(bot, "wooden_pickaxe", 1);
}`;
    setPrimitiveSemantics(env.bot, 'strict');
    try {
      const res = await runtime.run({ code, main: 'await needTable(bot)', endowments: (signal) => env.sandboxEndowments(signal), timeoutMs: 10_000 });
      assert.equal(res.ok, false);
      assert.match(res.error!, /cannot craft wooden_pickaxe x1: (need 3 \w+_planks, have \d; )?need 2 stick, have 0/);
    } finally {
      setPrimitiveSemantics(env.bot, env.primitiveSemantics);
    }
  });
});
