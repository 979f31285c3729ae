import assert from 'node:assert/strict';
import { IRON_CHAIN, runChain } from '../../envs/minecraft/chain.js';
import { createMinecraftEnvironment, type MinecraftEnvironment } from '../../envs/minecraft/environment.js';

/**
 * The acceptance chain: a fresh world at a fixed seed, an empty inventory, no commands (the
 * world starts without op rights), from logs to an iron ingot. Slow by nature (digging logs by hand,
 * a 10 s smelt): about 90 s, so it lives in its own file. It used to stall about 1 run in 3 at
 * mineBlock(iron_ore): mineflayer-pathfinder's line-of-sight bridging left the bot walking back to a
 * spot it could no longer reach, which hung every later goal (connection.ts turns it off), and
 * partial A* paths toward a buried ore could cycle until the time limit (mineBlock now gives a
 * block up after 200 game ticks without progress). Run it beside a CPU hog to check.
 */
describe('acceptance chain: empty inventory to iron_ingot (embedded world, seed 1)', function () {
  this.timeout(480_000); // bounds waits: a step that times out is explored around and retried
  let env: MinecraftEnvironment;
  before(async function () {
    // ~90 s: SKILLFORGE_SKIP_SLOW=1 leaves it out of quick local runs.
    if (process.env.SKILLFORGE_SKIP_SLOW === '1') this.skip();
    env = await createMinecraftEnvironment({ embedded: { seed: 1 }, username: 'voyager' });
  });
  after(async () => {
    await env?.close();
  });

  it('runs every step with unmodified primitives and ends holding an iron_ingot', async () => {
    const start = await env.observe();
    assert.deepEqual(start.json.inventory, {});
    const lines: string[] = [];
    const report = await runChain(env, IRON_CHAIN, {
      stepTimeoutMs: 90_000,
      onStep: (s) => lines.push(`${s.call.skill} ${JSON.stringify(s.call.args)} ${s.outcome.success ? 'ok' : `FAILED ${s.outcome.error}`} ${s.durationMs} ms`),
    });
    assert.ok(report.success, `${report.error}\n${lines.join('\n')}`);
    const done = await env.check({ description: 'smelt iron', goal: { inventory: { iron_ingot: 1, stone_pickaxe: 1, wooden_pickaxe: 1 }, nearby: { crafting_table: 1, furnace: 1 } } });
    assert.equal(done.success, true, done.reason);
    const commands = env.events().filter((e) => e.type === 'chat' && /^<voyager> \//.test(e.text));
    assert.deepEqual(commands, [], 'no commands were sent');
  });
});
