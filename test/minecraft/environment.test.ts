import assert from 'node:assert/strict';
import { ajv } from '../../core/validate.js';
import type { SkillCall } from '../../core/types.js';
import { freePort } from '../../core/net.js';
import { MinecraftConnection } from '../../envs/minecraft/connection.js';
import { MinecraftEnvironment, MINECRAFT_PRIMITIVES } from '../../envs/minecraft/environment.js';
import { MINECRAFT_CODE_API, getPrimitiveContext } from '../../envs/minecraft/primitives/index.js';
import { startTestWorld, type TestWorld } from './helpers.js';

async function envFor(world: TestWorld, username: string): Promise<MinecraftEnvironment> {
  const conn = await MinecraftConnection.open({ host: world.host, port: world.port, username, reconnect: { initialDelayMs: 100, maxDelayMs: 500, maxAttempts: 60 } });
  return new MinecraftEnvironment(conn);
}

describe('MinecraftEnvironment (embedded survival world)', function () {
  // Generous limits: they only bound waits, and a loaded CI machine runs the server slowly.
  this.timeout(90_000);
  let world: TestWorld;
  let port: number;
  let env: MinecraftEnvironment;
  before(async () => {
    port = await freePort();
    world = await startTestWorld({ seed: 1, port });
    assert.ok(world.survival, 'envs/minecraft/server/world.ts provides the survival world');
    env = await envFor(world, 'envbot');
  });
  after(async () => {
    await env?.close();
    await world?.stop();
  });

  it('lists Voyager primitives with valid JSON-schema params', () => {
    const names = env.primitives().map((p) => p.name);
    for (const n of ['mineBlock', 'craftItem', 'smeltItem', 'placeItem', 'killMob', 'exploreUntil', 'getItemFromChest', 'depositItemIntoChest', 'checkItemInsideChest']) assert.ok(names.includes(n), n);
    for (const p of MINECRAFT_PRIMITIVES) assert.ok(ajv.compile(p.params), p.name);
    assert.equal(env.kind, 'minecraft');
    for (const k of Object.keys(env.sandboxEndowments())) {
      if (k !== 'goals') assert.ok(MINECRAFT_CODE_API.includes(k), `the code API text documents ${k}`);
    }
  });

  it('rejects bad calls with clear outcomes', async () => {
    let out = await env.execute({ skill: 'mineBlock', args: { name: 5 as any, count: 0 } });
    assert.equal(out.success, false);
    assert.match(out.error!, /invalid arguments of mineBlock: \/name must be string; \/count must be >= 1/);
    out = await env.execute({ skill: 'flyToMoon', args: {} });
    assert.match(out.error!, /unknown primitive flyToMoon; known: mineBlock, craftItem/);
  });

  it('executes a primitive, reports its events, and checks inventory goals', async () => {
    assert.deepEqual(await env.check({ description: 'get a log', goal: { inventory: { oak_log: 1 } } }), { success: false, reason: 'have 0/1 oak_log' });
    const out = await env.execute({ skill: 'mineBlock', args: { name: 'oak_log', count: 1 } }, { timeoutMs: 60_000 });
    assert.equal(out.success, true, out.error);
    assert.ok(out.durationMs > 0);
    assert.deepEqual(env.recentEvents(Date.now() - out.durationMs - 1000).slice(-out.events.length), out.events);
    assert.ok(out.events.some((e) => e.type === 'inventory' && /\+1 oak_log/.test(e.text)), JSON.stringify(out.events));
    const got = await env.check({ description: 'get a log', goal: { inventory: { oak_log: 1 } } });
    assert.equal(got.success, true);
    assert.match(got.reason, /^have [12]\/1 oak_log$/);
    assert.equal((await env.check({ description: 'be happy' })).success, null);
    const fail = await env.execute({ skill: 'craftItem', args: { name: 'wooden_pickaxe' } });
    assert.equal(fail.success, false);
    assert.match(fail.error!, /need 3 oak_planks, have 0; need 2 stick, have 0/);
    assert.ok(fail.events.some((e) => e.type === 'chat' && /I cannot make wooden_pickaxe because I need/.test(e.text)));
    assert.ok(fail.events.some((e) => e.type === 'error'));
  });

  it('states exact preconditions from recipes and the inventory', async () => {
    const obs = await env.observe();
    const calls: SkillCall[] = [
      { skill: 'craftItem', args: { name: 'oak_planks', count: 1 } },
      { skill: 'craftItem', args: { name: 'oak_planks', count: 9 } },
      { skill: 'craftItem', args: { name: 'wooden_pickaxe', count: 1 } },
      { skill: 'mineBlock', args: { name: 'stone', count: 1 } },
      { skill: 'mineBlock', args: { name: 'oak_log', count: 1 } },
      { skill: 'smeltItem', args: { itemName: 'iron_ore', fuelName: 'oak_planks', count: 1 } },
      { skill: 'placeItem', args: { name: 'crafting_table' } },
      { skill: 'killMob', args: { mobName: 'pig' } },
      { skill: 'mineBlock', args: { name: 'diamond_ore', count: 1 } },
    ];
    assert.deepEqual(env.preconditions(obs, calls), [true, false, false, false, null, false, false, null, false]);
    // No log of any kind within mineBlock's 32-block reach: certainly no oak_log to mine.
    const noTrees = { ...obs, json: { ...obs.json, blockCounts: { ...(obs.json.blockCounts as object), log: 0 } } };
    assert.deepEqual(env.preconditions(noTrees, [{ skill: 'mineBlock', args: { name: 'oak_log' } }, { skill: 'mineBlock', args: { name: 'birch_log' } }, { skill: 'mineBlock', args: { name: 'dirt' } }]), [false, false, null]);
  });

  it("runs Voyager skill code unchanged with the sandbox endowments", async () => {
    const code = `async function craftPlanksAndSticks(bot) {
      const log = bot.inventory.items().find((i) => i.name === 'oak_log');
      if (!log) { bot.chat('no log'); return; }
      await craftItem(bot, 'oak_planks', 1);
      await craftItem(bot, 'stick', 1);
      bot.chat('planks and sticks ready at ' + new Vec3(1, 2, 3) + ' ' + mcData.itemsByName.stick.id);
    }`;
    const endow = env.sandboxEndowments();
    for (const k of ['bot', 'mcData', 'Vec3', 'mineBlock', 'craftItem', 'smeltItem', 'placeItem', 'killMob', 'exploreUntil', 'getItemFromChest', 'depositItemIntoChest', 'checkItemInsideChest', 'GoalNear', 'GoalBlock', 'GoalXZ', 'GoalLookAtBlock', 'GoalPlaceBlock', 'moveTo', 'equipItem']) {
      assert.ok(endow[k] !== undefined, k);
    }
    const names = Object.keys(endow);
    const run = new Function(...names, `${code}\nreturn craftPlanksAndSticks(bot);`) as (...a: unknown[]) => Promise<void>;
    await run(...names.map((n) => endow[n]));
    assert.deepEqual(await env.check({ description: '', goal: { inventory: { stick: 4, oak_planks: 2 } } }), { success: true, reason: 'have 4/4 stick; have 2/2 oak_planks' });
    // A run's signal reaches primitives the skill calls, and the binding ends with the run.
    const ac = new AbortController();
    const bound = env.sandboxEndowments(ac.signal) as any;
    ac.abort(new Error('run over'));
    await assert.rejects(bound.mineBlock(bound.bot, 'dirt', 1), /aborted: run over/);
    const ac2 = new AbortController();
    const bound2 = env.sandboxEndowments(ac2.signal, { maxTimeoutMs: 300 }) as any;
    await assert.rejects(bound2.exploreUntil(bound2.bot, new bound2.Vec3(1, 0, 0), 10, () => false), /timed out after 300 ms/);
    ac2.abort();
    assert.equal(getPrimitiveContext(env.bot), undefined);
  });

  it('honours timeoutMs and AbortSignal in execute', async () => {
    let t0 = Date.now();
    let out = await env.execute({ skill: 'exploreUntil', args: { direction: { x: 1, y: 0, z: 0 }, maxTime: 30 } }, { timeoutMs: 600 });
    assert.equal(out.success, false);
    assert.match(out.error!, /timed out after 600 ms/);
    assert.ok(Date.now() - t0 < 2000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop now')), 300);
    t0 = Date.now();
    out = await env.execute({ skill: 'exploreUntil', args: { direction: { x: -1, y: 0, z: 0 }, maxTime: 30 } }, { signal: ac.signal });
    assert.match(out.error!, /aborted: stop now/);
    assert.ok(Date.now() - t0 < 2000);
  });

  it('five bots connected at once, each doing a task', async function () {
    // Six bots share the server: on a loaded machine walking and digging take several times longer.
    this.timeout(150_000);
    const envs = await Promise.all([1, 2, 3, 4, 5].map((i) => envFor(world, `crew${i}`)));
    try {
      // Different jobs so five bots at one spawn do not all queue for the same tree.
      const jobs: [SkillCall, Record<string, number> | null][] = [
        [{ skill: 'mineBlock', args: { name: 'oak_log', count: 1 } }, { oak_log: 1 }],
        [{ skill: 'mineBlock', args: { name: 'dirt', count: 1 } }, { dirt: 1 }],
        [{ skill: 'mineBlock', args: { name: 'sand', count: 1 } }, { sand: 1 }],
        [{ skill: 'exploreUntil', args: { direction: { x: -1, y: 0, z: 0 }, maxTime: 3 } }, null],
        [{ skill: 'mineBlock', args: { name: 'grass_block', count: 1 } }, { dirt: 1 }],
      ];
      const outs = await Promise.all(envs.map((e, i) => e.execute(jobs[i]![0], { timeoutMs: 90_000 })));
      outs.forEach((o, i) => assert.equal(o.success, true, `crew${i + 1}: ${o.error}`));
      const checks = await Promise.all(envs.map((e, i) => (jobs[i]![1] ? e.check({ description: '', goal: { inventory: jobs[i]![1]! } }) : { success: true, reason: '' })));
      assert.ok(checks.every((c) => c.success === true), JSON.stringify(checks));
    } finally {
      await Promise.all(envs.map((e) => e.close()));
    }
  });

  it('server stopped mid-primitive: the call fails clearly within its time-out, and the environment reconnects', async () => {
    const running = env.execute({ skill: 'exploreUntil', args: { direction: { x: 0, y: 0, z: 1 }, maxTime: 60 } }, { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await world.stop();
    const out = await running;
    assert.equal(out.success, false);
    assert.match(out.error!, /lost its connection to the server/);
    assert.ok(Date.now() - t0 < 5000, `failed after ${Date.now() - t0} ms`);
    assert.ok(out.events.some((e) => e.type === 'disconnected'));
    world = await startTestWorld({ seed: 1, port });
    const obs = await env.observe(); // waits for the reconnect
    assert.equal(typeof (obs.json as any).health, 'number');
    const again = await env.execute({ skill: 'mineBlock', args: { name: 'dirt', count: 1 } }, { timeoutMs: 60_000 });
    assert.equal(again.success, true, again.error);
    assert.ok(env.events().some((e) => e.type === 'reconnected'));
  });
});
