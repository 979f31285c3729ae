/**
 * Minecraft primitives are descriptors: each primitive is described once (name, params, run, sandbox
 * endowment, precondition, doc) and every table of the environment is derived from the list. The last
 * block adds a primitive defined in this file only and finds it everywhere: listed, executed, checked
 * for preconditions, endowed host-side, callable from sandboxed skill code, documented.
 *
 * No world is started: the environment gets a stand-in connection whose bot records what it is asked
 * to do (the built-in primitives are exercised against the embedded world in environment.test.ts).
 *
 * @example
 *   npx mocha test/minecraft/primitive-descriptors.test.ts
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { ajv } from '../../core/validate.js';
import type { Observation } from '../../core/types.js';
import { SANDBOX_API, type SandboxApi } from '../../envs/environment.js';
import { MINECRAFT_PRIMITIVES, MinecraftEnvironment } from '../../envs/minecraft/environment.js';
import type { MinecraftConnection } from '../../envs/minecraft/connection.js';
import { minecraftSandboxApi } from '../../envs/minecraft/sandbox-api.js';
import {
  MINECRAFT_CODE_API,
  MINECRAFT_PRIMITIVE_DESCRIPTORS,
  checkDescriptors,
  minecraftCodeApi,
  runPrimitive,
  type PrimitiveDescriptor,
  type PrimitiveOptions,
} from '../../envs/minecraft/primitives/index.js';
import { COUNT, args, obj } from '../../envs/minecraft/primitives/schemas.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';

const require = createRequire(import.meta.url);
const mcData = require('minecraft-data')('1.16.5');

/** A bot that answers what the environment and the sandbox API read, and records arm swings. */
function standInBot() {
  const bot = new EventEmitter() as EventEmitter & Record<string, any>;
  bot.registry = mcData;
  bot.version = '1.16.5';
  bot.entities = {};
  bot._client = { ended: false, socket: { destroyed: false } };
  bot.entity = { id: 1, position: new Vec3(0, 64, 0), velocity: new Vec3(0, 0, 0), yaw: 0, pitch: 0, onGround: true };
  bot.swings = [] as string[];
  bot.swingArm = (hand: string) => void bot.swings.push(hand);
  return bot;
}

/** A connection that is "ready" at once with the stand-in bot (not connected: nothing attaches to it). */
function standInConnection(bot: ReturnType<typeof standInBot>): MinecraftConnection {
  return Object.assign(new EventEmitter(), { connected: false, options: { version: '1.16.5' }, host: 'stand-in', port: 0, bot, ready: async () => bot, close: async () => {} }) as unknown as MinecraftConnection;
}

const observation = (inventory: Record<string, number>, blockCounts: Record<string, number> = {}) =>
  ({ json: { inventory, blockCounts }, text: '', features: new Float32Array(0), featureNames: [] }) as Observation;

// ---- A primitive that exists only in this file: the whole of what adding one takes. ----
async function waveStick(bot: Bot, times = 1, options?: PrimitiveOptions): Promise<{ swung: number }> {
  return runPrimitive(bot, `waveStick(${times})`, 5_000, options, async () => {
    for (let i = 0; i < times; i++) bot.swingArm('right');
    return { swung: times };
  });
}
const waveStickDescriptor: PrimitiveDescriptor = {
  name: 'waveStick',
  description: 'Wave a held stick `times` times (a signal to other players).',
  params: obj({ times: { type: 'integer', minimum: 1, maximum: 16, default: 1 } }, []),
  run: (bot, a) => waveStick(bot, a.times),
  endowment: (o) => (b: Bot, times = 1) => waveStick(b, times, o),
  sandbox: { calls: { waveStick: { params: args([COUNT(16)], 0), run: (bot, [times], o) => waveStick(bot, times ?? 1, o) } }, global: "prim('waveStick')" },
  precondition: (_a, { inventory }) => (inventory.stick ?? 0) > 0,
  doc: '// Wave a held stick `times` times.\n// Example: await waveStick(bot, 3);\nasync function waveStick(bot, times = 1) {}',
};

describe('envs/minecraft: primitives are descriptors, every table derives from the list', () => {
  const list = MINECRAFT_PRIMITIVE_DESCRIPTORS;
  const env = new MinecraftEnvironment(standInConnection(standInBot()));
  after(() => env.close());

  it('each primitive is listed once, in the environment and in MINECRAFT_PRIMITIVES, in list order', () => {
    const names = list.map((d) => d.name);
    assert.equal(new Set(names).size, names.length, `a name appears twice: ${names.join(', ')}`);
    assert.deepEqual(env.primitives().map((p) => p.name), names);
    assert.deepEqual(MINECRAFT_PRIMITIVES.map((p) => p.name), names);
    for (const n of ['mineBlock', 'craftItem', 'smeltItem', 'placeItem', 'killMob', 'exploreUntil', 'getItemFromChest', 'depositItemIntoChest', 'checkItemInsideChest', 'moveTo', 'equipItem']) assert.ok(names.includes(n), n);
  });

  it('params schemas (execute and sandbox) compile with ajv; descriptions and docs are written', () => {
    for (const d of list) {
      assert.ok(ajv.compile(d.params), d.name);
      for (const [call, spec] of Object.entries(d.sandbox.calls)) assert.ok(ajv.compile(spec.params), `${d.name}: sandbox call ${call}`);
      assert.ok(d.description.trim().length > 10, `${d.name} has a description`);
      assert.match(d.doc, new RegExp(`^//.*\\n(//.*\\n)*async function ${d.name}\\(bot\\b`), `${d.name}'s doc: comment lines, then its signature`);
      assert.match(d.doc, /Example: /, `${d.name}'s doc has an example`);
      assert.ok(MINECRAFT_CODE_API.includes(d.doc.trim()), `the code API text carries ${d.name}'s doc`);
    }
  });

  it('every primitive is endowed host-side and defined in the sandbox API, with its calls', () => {
    const endowments = env.sandboxEndowments();
    const api = minecraftSandboxApi(standInBot() as never, new AbortController().signal);
    for (const d of list) {
      assert.equal(typeof endowments[d.name], 'function', `sandboxEndowments().${d.name}`);
      assert.ok(api.bootstrap.includes(`host.define(${JSON.stringify(d.name)}, `), `the isolate defines ${d.name}`);
      for (const call of Object.keys(d.sandbox.calls)) assert.equal(api.calls[call]?.params, d.sandbox.calls[call]!.params, `sandbox call ${call} of ${d.name}`);
    }
  });

  it('preconditions come from the descriptors: exact where the observation tells, null where only trying can', () => {
    const obs = observation({ oak_log: 1, stick: 1 }, { log: 0, crafting_table: 0 });
    assert.deepEqual(
      env.preconditions(obs, [
        { skill: 'craftItem', args: { name: 'oak_planks', count: 1 } },
        { skill: 'craftItem', args: { name: 'wooden_pickaxe' } },
        { skill: 'equipItem', args: { name: 'stick' } },
        { skill: 'equipItem', args: { name: 'diamond' } },
        { skill: 'placeItem', args: { name: 'crafting_table' } },
        { skill: 'depositItemIntoChest', args: { chestPosition: { x: 0, y: 0, z: 0 }, itemsToDeposit: { oak_log: 1 } } },
        { skill: 'mineBlock', args: { name: 'oak_log' } },
        { skill: 'mineBlock', args: { name: 'stone' } },
        { skill: 'killMob', args: { mobName: 'pig' } },
        { skill: 'flyToMoon', args: {} },
      ]),
      [true, false, true, false, false, null, false, false, null, false],
    );
  });

  it('a list with a name twice, or two primitives claiming one sandbox call, is refused with the reason', () => {
    assert.throws(() => checkDescriptors([...list, list[0]!]), /primitive mineBlock is listed twice/);
    const clash = { ...waveStickDescriptor, sandbox: { ...waveStickDescriptor.sandbox, calls: { exploreStep: waveStickDescriptor.sandbox.calls.waveStick! } } };
    assert.throws(() => checkDescriptors([...list, clash]), /exploreUntil and waveStick both define the sandbox call exploreStep/);
    assert.throws(() => new MinecraftEnvironment(standInConnection(standInBot()), { primitives: [...list, { ...waveStickDescriptor, name: 'wave stick' }] }), /not a JavaScript identifier/);
    const chat = { ...waveStickDescriptor, sandbox: { ...waveStickDescriptor.sandbox, calls: { chat: waveStickDescriptor.sandbox.calls.waveStick! } } };
    assert.throws(() => minecraftSandboxApi(standInBot() as never, new AbortController().signal, { primitives: [...list, chat] }), /sandbox call chat, which the Minecraft sandbox API already has/);
  });

  describe('adding a primitive is one descriptor in one list', () => {
    const bot = standInBot();
    const extended = new MinecraftEnvironment(standInConnection(bot), { primitives: [...list, waveStickDescriptor] });
    let runtime: SkillRuntime;
    before(() => (runtime = new SkillRuntime()));
    after(async () => {
      await runtime?.close();
      await extended.close();
    });

    it('the built-in environment does not know it', async () => {
      assert.ok(!env.primitives().some((p) => p.name === 'waveStick'));
      assert.match((await env.execute({ skill: 'waveStick', args: {} })).error ?? '', /unknown primitive waveStick/);
    });

    it('is listed, with its schema checked before it runs', async () => {
      assert.deepEqual(extended.primitives().at(-1), { name: 'waveStick', description: waveStickDescriptor.description, params: waveStickDescriptor.params });
      const bad = await extended.execute({ skill: 'waveStick', args: { times: 99 } });
      assert.equal(bad.success, false);
      assert.match(bad.error ?? '', /arguments of waveStick: \/times must be <= 16/);
      assert.equal(bot.swings.length, 0);
    });

    it('is dispatched by execute()', async () => {
      const out = await extended.execute({ skill: 'waveStick', args: { times: 2 } });
      assert.equal(out.success, true, out.error);
      assert.deepEqual(out.result, { swung: 2 });
      assert.deepEqual(bot.swings, ['right', 'right']);
    });

    it('has its precondition checked', () => {
      assert.deepEqual(extended.preconditions(observation({ stick: 1 }), [{ skill: 'waveStick', args: {} }]), [true]);
      assert.deepEqual(extended.preconditions(observation({}), [{ skill: 'waveStick', args: {} }]), [false]);
    });

    it('is endowed host-side and callable from sandboxed skill code', async () => {
      bot.swings.length = 0;
      const endowments = extended.sandboxEndowments();
      assert.deepEqual(await (endowments.waveStick as (b: unknown, n: number) => Promise<unknown>)(bot, 1), { swung: 1 });
      const res = await runtime.run({
        code: 'async function signal(bot) { return await waveStick(bot, 3); }',
        main: 'return await signal(bot)',
        endowments: (signal) => extended.sandboxEndowments(signal),
        timeoutMs: 10_000,
      });
      assert.equal(res.ok, true, res.error);
      assert.deepEqual(res.value, { swung: 3 });
      assert.deepEqual(bot.swings, ['right', 'right', 'right', 'right']);
      // In the isolate its sandbox schema guards it: hostile arguments never reach the bot.
      const api = (extended.sandboxEndowments(new AbortController().signal) as Record<symbol, SandboxApi>)[SANDBOX_API]!;
      assert.equal(api.calls.waveStick!.params, waveStickDescriptor.sandbox.calls.waveStick!.params);
      const hostile = await runtime.run({ code: 'async function flood(bot) { return await waveStick(bot, 1e6); }', main: 'return await flood(bot)', endowments: (signal) => extended.sandboxEndowments(signal), timeoutMs: 10_000 });
      assert.equal(hostile.ok, false);
      assert.match(hostile.error ?? '', /waveStick/);
      assert.equal(bot.swings.length, 4);
    });

    it('is documented in the code API text of its list', () => {
      const text = minecraftCodeApi(extended.descriptors);
      assert.ok(text.includes('async function waveStick(bot, times = 1) {}'));
      assert.ok(!MINECRAFT_CODE_API.includes('waveStick'));
    });
  });
});
