import assert from 'node:assert/strict';
import { createMinecraftEnvironment, type MinecraftEnvironment } from '../../envs/minecraft/environment.js';
import { inventoryCounts } from '../../envs/minecraft/events.js';

describe('killMob against the embedded world mobs (seed 1)', function () {
  this.timeout(40_000);
  let env: MinecraftEnvironment;
  before(async () => {
    env = await createMinecraftEnvironment({ embedded: { seed: 1 }, username: 'hunter' });
  });
  after(async () => {
    await env?.close();
  });

  it('kills the nearest passive mob and picks up its loot, reporting events', async () => {
    const bot = env.bot;
    let mob: string | undefined;
    for (let i = 0; i < 40 && !mob; i++) {
      const e = bot.nearestEntity((x) => ['pig', 'cow', 'sheep', 'chicken'].includes(x.name ?? '') && x.position.distanceTo(bot.entity.position) < 48);
      mob = e?.name;
      if (!mob) await bot.waitForTicks(5);
    }
    assert.ok(mob, 'a passive mob near spawn');
    const obs = await env.observe();
    assert.ok(Object.keys(obs.json.entities as object).length > 0, obs.text);
    const before = inventoryCounts(bot);
    const out = await env.execute({ skill: 'killMob', args: { mobName: mob!, timeout: 30 } }, { timeoutMs: 35_000 });
    assert.equal(out.success, true, out.error);
    assert.ok(out.events.some((e) => e.type === 'chat' && e.text === `Killed ${mob}!`), JSON.stringify(out.events));
    const after = inventoryCounts(bot);
    const gained = Object.keys(after).filter((k) => (after[k] ?? 0) > (before[k] ?? 0));
    assert.ok(gained.length > 0, `picked up loot of the ${mob}: ${JSON.stringify(after)}`);
  });
});
