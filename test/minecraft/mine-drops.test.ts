/**
 * mineBlock counts a block as mined only when its own drop reaches the inventory. With several bots
 * at one spawn (environment.test.ts "five bots"), a bot mining a log also picks up the dirt another
 * bot dug while its log goes to someone else; counting every item then reported success with no log.
 * The scripted bot below replays exactly that interleaving, which a live server produces only by chance.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { mineBlock, possibleDrops } from '../../envs/minecraft/primitives/mineBlock.js';
import { setPrimitiveSemantics } from '../../envs/minecraft/primitives/context.js';
import { MINECRAFT_VERSION } from '../../envs/minecraft/server/version.js';

const require = createRequire(import.meta.url);
const registry = require('minecraft-data')(MINECRAFT_VERSION);

/** A bot next to two oak logs; `onCollect(i)` says which item the i-th collect puts in the inventory. */
function scriptedBot(onCollect: (call: number) => string) {
  const logs = [new Vec3(2, 64, 0), new Vec3(2, 65, 0)];
  const items: Array<{ name: string; count: number; type: number }> = [];
  let calls = 0;
  const bot = Object.assign(new EventEmitter(), {
    registry,
    entity: { position: new Vec3(0, 64, 0) },
    _client: { ended: false },
    inventory: { items: () => items.slice() },
    chat: () => {},
    findBlocks: () => logs.slice(),
    blockAt: (p: Vec3) => {
      const log = logs.some((l) => l.equals(p));
      return { position: p, name: log ? 'oak_log' : 'air', type: log ? registry.blocksByName.oak_log.id : 0, boundingBox: log ? 'block' : 'empty' };
    },
    waitForTicks: async () => {},
    collectBlock: {
      collect: async (block: { position: Vec3 }) => {
        logs.splice(logs.findIndex((l) => l.equals(block.position)), 1);
        const name = onCollect(calls++);
        items.push({ name, count: 1, type: registry.itemsByName[name].id });
      },
    },
  });
  return { bot: bot as unknown as Bot, items, collects: () => calls };
}

describe('mineBlock counts only its own drops', () => {
  it('knows what blocks drop (loot tables, not only the block item)', () => {
    const bot = { registry } as unknown as Bot;
    assert.ok(possibleDrops(bot, 'oak_log').has('oak_log'));
    assert.ok(possibleDrops(bot, 'stone').has('cobblestone'));
    assert.ok(possibleDrops(bot, 'grass_block').has('dirt'));
    assert.ok(possibleDrops(bot, 'coal_ore').has('coal'));
    assert.ok(!possibleDrops(bot, 'oak_log').has('dirt'));
  });

  it("another player's dirt picked up while the log went elsewhere does not count as a mined log", async () => {
    // First dig: someone else grabs the log and we pick up their dirt. Second dig: our log arrives.
    const { bot, items, collects } = scriptedBot((i) => (i === 0 ? 'dirt' : 'oak_log'));
    await mineBlock(bot, 'oak_log', 1, { timeoutMs: 5_000 });
    assert.equal(collects(), 2, 'the first dig brought no log, so mineBlock dug again');
    assert.deepEqual(items.map((i) => i.name).sort(), ['dirt', 'oak_log']);
  });

  it('fails clearly when the drops keep going to others', async () => {
    const { bot } = scriptedBot(() => 'dirt');
    setPrimitiveSemantics(bot, 'strict'); // Voyager's semantics would say it in chat and return
    await assert.rejects(mineBlock(bot, 'oak_log', 1, { timeoutMs: 5_000 }), /mined 0 of 1 oak_log: no more reachable oak_log/);
  });
});
