import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { HOSTILE_SKILLS } from '../fixtures/hostile-skills.js';

describe('skills/runtime: the hostile corpus', function () {
  this.timeout(60000);
  const runtime = new SkillRuntime({ memoryMb: 48, callbackTimeoutMs: 500 });
  after(() => runtime.close());

  const sentinel = { health: 20, chats: [] as unknown[] };
  const bot = new EventEmitter() as EventEmitter & Record<string, unknown>;
  bot.health = 20;
  bot._client = { socket: new PassThrough() };
  bot.stream = new PassThrough();
  // Like mineflayer's Window: a class instance, so it crosses as a handle rather than a copy.
  bot.inventory = new (class Inventory {
    items() {
      return [{ name: 'dirt', count: 1 }];
    }
  })();
  bot.chat = (m: unknown) => void sentinel.chats.push(m);
  bot.wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  bot.findBlock = (o: { matching: (b: unknown) => boolean }) => (o.matching({ name: 'stone' }) ? { name: 'stone' } : null);
  const chat = bot.chat;
  const inventoryProto = Object.getPrototypeOf(bot.inventory);

  for (const attack of HOSTILE_SKILLS) {
    it(`contains: ${attack.name}`, async () => {
      const r = await runtime.run({ code: attack.code, main: 'return await attack(bot)', endowments: { bot }, timeoutMs: 700 });
      assert.equal(r.ok, false, `the attack succeeded and returned ${JSON.stringify(r.value)}`);
      assert.equal(r.failure, attack.expect, `expected ${attack.expect}, got ${r.failure}: ${r.error}`);
      if (attack.message) assert.match(r.error!, attack.message);
      // The host is untouched.
      assert.equal(bot.health, 20);
      assert.equal(bot.chat, chat);
      assert.equal(Object.getPrototypeOf(bot.inventory), inventoryProto);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(typeof process.exit, 'function');
      for (const c of sentinel.chats) assert.equal(Object.getPrototypeOf(c), Object.prototype);
    });
  }

  it('keeps working after the whole corpus (the agent survives)', async () => {
    const r = await runtime.run({ code: 'async function ok(bot) { return bot.inventory.items()[0].name }', main: 'return await ok(bot)', endowments: { bot } });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.value, 'dirt');
    assert.equal(bot.listenerCount('chat'), 0);
  });
});
