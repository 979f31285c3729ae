import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { isolationFor } from '../../skills/runtime/provenance.js';
import { childExecArgv } from '../../skills/runtime/child-engine.js';

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
  const runtime = new SkillRuntime({ memoryMb: 64 });
  after(() => runtime.close());

  it('returns the value of the main expression', async () => {
    const r = await runtime.run({ code: 'async function double(x) { return x * 2 }', main: 'return await double(n)', endowments: { n: 21 } });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.value, 42);
  });

  it('copies host values in and calls host functions with copied arguments, never host references', async () => {
    const bot = fakeBot();
    let received: unknown;
    const mineBlock = async (b: unknown, name: string, count: number) => {
      received = b;
      return `mined ${count} ${name}`;
    };
    const r = await runtime.run({
      code: `async function go(bot) {
        const logs = bot.inventory.items().find((i) => i.name === 'oak_log');
        const msg = await mineBlock(bot, 'stone', logs.count);
        bot.chat(msg + ' at ' + bot.entity.position.offset(1, 0, 0));
        return { health: bot.entity.health, msg, client: typeof bot._client };
      }`,
      main: 'return await go(bot)',
      endowments: { bot, mineBlock },
    });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.value, { health: 20, msg: 'mined 3 stone', client: 'undefined' });
    assert.deepEqual(bot.chatLog, ['mined 3 stone at (2, 64, 2)']);
    assert.notEqual(received, bot, 'the host gets a copy, not its own object back');
    assert.equal((received as Record<string, unknown>)._client, undefined, 'underscore properties are never copied');
  });

  it('never runs skill functions on the host: a matcher handed to the host arrives as nothing; Vec3 crosses as the host class', async () => {
    const bot = fakeBot();
    let received: unknown;
    let matcherSeen: unknown = 'not called';
    const place = (p: unknown) => { received = p; return true; };
    bot.findBlock = (opts: { matching?: unknown }) => { matcherSeen = opts.matching; return null; };
    const r = await runtime.run({
      code: `async function find(bot) {
        const block = bot.findBlock({ matching: (b) => b.name === 'oak_log' });
        place(new Vec3(1, 2, 3).offset(1, 1, 1));
        return block;
      }`,
      main: 'return await find(bot)',
      endowments: { bot, place },
    });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.value, null);
    assert.equal(matcherSeen, undefined, 'the function was not passed across');
    assert.ok(received instanceof Vec3, 'a skill-made Vec3 arrives as the host class');
    assert.deepEqual({ ...(received as object) }, { x: 2, y: 3, z: 4 });
  });

  it("offers no emitter methods: a skill cannot add listeners to or emit on the host's objects", async () => {
    const bot = fakeBot();
    let emitted = 0;
    bot.on('end', () => emitted++);
    const r = await runtime.run({
      code: `async function listen(bot) { bot.on('chat', () => {}); }`,
      main: 'return await listen(bot)',
      endowments: { bot },
    });
    assert.equal(r.ok, false);
    assert.match(r.error!, /bot\.on is not a function/);
    assert.equal(bot.listenerCount('chat'), 0);
    const r2 = await runtime.run({ code: '', main: "bot.emit('end'); bot.removeAllListeners()", endowments: { bot } });
    assert.equal(r2.ok, false);
    assert.equal(emitted, 0);
    assert.equal(bot.listenerCount('end'), 1);
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

describe('skills/runtime: isolation modes', function () {
  this.timeout(60_000);

  it('runs code from elsewhere in the child process: imported skills and skills of other agents', () => {
    const mine = { provenance: { agent: 'alice', createdAt: '2026-01-01T00:00:00Z', source: 'llm' } };
    const theirs = { provenance: { agent: 'bob', createdAt: '2026-01-01T00:00:00Z' } };
    const imported = { provenance: { agent: 'alice', createdAt: '2026-01-01T00:00:00Z', source: 'voyager:/tmp/lib' } };
    assert.equal(isolationFor([mine], 'alice'), 'in-process');
    assert.equal(isolationFor([mine, theirs], 'alice'), 'child');
    assert.equal(isolationFor([imported]), 'child');
    assert.equal(isolationFor([]), 'in-process');
  });

  it('starts the child under the permission model with no writes, child processes or workers', () => {
    const argv = childExecArgv(64);
    assert.ok(argv.includes('--permission'));
    assert.ok(argv.includes('--no-node-snapshot'));
    for (const a of argv) assert.doesNotMatch(a, /allow-fs-write|allow-child-process|allow-worker|allow-wasi|allow-inspector/);
  });

  it('a process started without --no-node-snapshot still runs skills, in the child process', () => {
    const script = `import { SkillRuntime } from ${JSON.stringify(new URL('../../skills/runtime/runtime.ts', import.meta.url).href)};
      const rt = new SkillRuntime(); const r = await rt.run({ code: '', main: 'return 6 * 7', endowments: {} }); await rt.close();
      process.stdout.write(JSON.stringify(r.value));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    assert.equal(out.trim(), '42');
  });
});
