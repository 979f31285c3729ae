import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { SkillRuntime } from '../../skills/runtime/runtime.js';

const require = createRequire(import.meta.url);
const { Vec3 } = require('vec3') as { Vec3: new (x: number, y: number, z: number) => { x: number; y: number; z: number; offset(a: number, b: number, c: number): unknown } };

/** A small stand-in for a mineflayer bot: host objects with methods, getters, callbacks and events. */
function fakeBot() {
  const bot = new EventEmitter() as EventEmitter & Record<string, unknown>;
  bot.entity = { position: new Vec3(1, 64, 2), health: 20 };
  bot._client = { socket: 'raw socket' };
  const items = [{ name: 'oak_log', count: 3 }, { name: 'dirt', count: 10 }];
  bot.inventory = { items: () => items.map((i) => ({ ...i })) };
  bot.findBlock = (opts: { matching: (b: { name: string }) => boolean }) =>
    [{ name: 'stone', position: new Vec3(0, 60, 0) }, { name: 'oak_log', position: new Vec3(5, 64, 5) }].find((b) => opts.matching(b)) ?? null;
  bot.chatLog = [] as string[];
  bot.chat = (m: string) => void (bot.chatLog as string[]).push(m);
  return bot;
}

describe('skills/runtime: running skill code', function () {
  this.timeout(20000);
  const runtime = new SkillRuntime({ memoryMb: 64, callbackTimeoutMs: 1000 });
  after(() => runtime.close());

  it('returns the value of the main expression', async () => {
    const r = await runtime.run({ code: 'async function double(x) { return x * 2 }', main: 'return await double(n)', endowments: { n: 21 } });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.value, 42);
  });

  it('reads host objects, calls host methods and awaits host promises', async () => {
    const bot = fakeBot();
    const mineBlock = async (b: unknown, name: string, count: number) => {
      assert.equal(b, bot, 'the host receives the real bot back');
      return `mined ${count} ${name}`;
    };
    const r = await runtime.run({
      code: `async function go(bot) {
        const logs = bot.inventory.items().find((i) => i.name === 'oak_log');
        const msg = await mineBlock(bot, 'stone', logs.count);
        bot.chat(msg + ' at ' + bot.entity.position.offset(1, 0, 0));
        return { health: bot.entity.health, msg };
      }`,
      main: 'return await go(bot)',
      endowments: { bot, mineBlock },
    });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.value, { health: 20, msg: 'mined 3 stone' });
    assert.deepEqual(bot.chatLog, ['mined 3 stone at (2, 64, 2)']);
  });

  it('lets the host call skill callbacks synchronously (findBlock matching) and pass Vec3 both ways', async () => {
    const bot = fakeBot();
    let received: unknown;
    const place = (p: unknown) => { received = p; return true; };
    const r = await runtime.run({
      code: `async function find(bot) {
        const block = bot.findBlock({ matching: (b) => b.name === 'oak_log' });
        place(new Vec3(1, 2, 3).offset(1, 1, 1));
        return block.position.x + block.position.y;
      }`,
      main: 'return await find(bot)',
      endowments: { bot, place, Vec3 },
    });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.value, 69);
    assert.ok(received instanceof Vec3, 'a skill-made Vec3 arrives as the host class');
    assert.deepEqual({ ...(received as object) }, { x: 2, y: 3, z: 4 });
  });

  it('removes event listeners a skill added once it ends', async () => {
    const bot = fakeBot();
    const r = await runtime.run({
      code: `async function listen(bot) { let n = 0; bot.on('chat', () => { n++ }); bot.emit('chat', 'a'); return n }`,
      main: 'return await listen(bot)',
      endowments: { bot },
    });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.value, 1);
    assert.equal(bot.listenerCount('chat'), 0);
  });

  it('captures console output as logs', async () => {
    const r = await runtime.run({ code: '', main: 'console.log("hello", {a: 1}); console.warn("careful")', endowments: {} });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.logs.map((l) => [l.level, l.text]), [['log', 'hello {"a":1}'], ['warn', 'careful']]);
  });

  it('reports syntax errors and thrown errors with their message', async () => {
    const bad = await runtime.run({ code: 'async function broken( {', main: 'return 1', endowments: {} });
    assert.equal(bad.ok, false);
    assert.match(bad.error!, /SyntaxError/);
    const thrown = await runtime.run({ code: 'async function f() { throw new Error("no oak_log nearby") }', main: 'await f()', endowments: {} });
    assert.equal(thrown.failure, 'error');
    assert.match(thrown.error!, /no oak_log nearby/);
  });

  it('passes the run signal to endowment factories and aborts on demand', async () => {
    let hostSignal: AbortSignal | undefined;
    const ac = new AbortController();
    const pending = runtime.run({
      code: '',
      main: 'await wait()',
      endowments: (signal) => {
        hostSignal = signal;
        return { wait: () => new Promise(() => {}) };
      },
      signal: ac.signal,
    });
    setTimeout(() => ac.abort('operator stop'), 50);
    const r = await pending;
    assert.equal(r.failure, 'aborted');
    assert.match(r.error!, /operator stop/);
    assert.equal(hostSignal?.aborted, true, 'host-side work is told to stop');
    const after = await runtime.run({ code: '', main: 'return 5', endowments: {} });
    assert.equal(after.value, 5);
  });
});
