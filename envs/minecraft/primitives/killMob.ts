import type { Bot } from 'mineflayer';
import '../plugin-types.js';
import type { Entity } from 'prismarine-entity';
import { SkillforgeError, errorMessage } from '../../../core/errors.js';
import { feedback, runPrimitive, requireString, type PrimitiveOptions } from './context.js';
import type { PrimitiveDescriptor } from './descriptor.js';
import { NAME, args, named, obj } from './schemas.js';

/** How far killMob looks for the mob (Voyager's: a bit more than exploreUntil's reach). */
export const MOB_RADIUS = 48;

const WEAPONS = ['netherite_sword', 'diamond_sword', 'iron_sword', 'stone_sword', 'golden_sword', 'wooden_sword', 'netherite_axe', 'diamond_axe', 'iron_axe', 'stone_axe', 'golden_axe', 'wooden_axe'];

/**
 * Voyager's `killMob(bot, mobName, timeout = 300)`: attack the nearest `mobName` within 48 blocks with the
 * best weapon held (mineflayer-pvp) until it dies, then pick up what it dropped. `timeout` is in seconds,
 * as in Voyager. Rejects with E_MC_NOT_FOUND ("no pig within 48 blocks"), E_TIMEOUT, E_ABORTED, E_MC_DIED,
 * E_MC_DISCONNECTED.
 *
 * @example await killMob(bot, 'pig', 60);
 */
export async function killMob(bot: Bot, mobName: string, timeout: number = 300, options?: PrimitiveOptions): Promise<void> {
  requireString(mobName, 'mobName for killMob');
  if (typeof timeout !== 'number' || !(timeout > 0)) throw new SkillforgeError('E_INVALID', 'timeout for killMob must be a number of seconds > 0');
  await runPrimitive(bot, `killMob(${mobName})`, timeout * 1000, options, async (run) => {
    const target = bot.nearestEntity((e) => e.name === mobName && e.position.distanceTo(bot.entity.position) < MOB_RADIUS);
    if (!target) {
      feedback(bot, `No ${mobName} nearby, please explore first`);
      throw new SkillforgeError('E_MC_NOT_FOUND', `no ${mobName} within ${MOB_RADIUS} blocks`, { hint: 'explore first (exploreUntil)' });
    }
    const weapon = WEAPONS.map((w) => bot.inventory.items().find((i) => i.name === w)).find((i) => !!i);
    if (weapon) await bot.equip(weapon, 'hand').catch(() => {});
    run.check();
    let lastPos = target.position.clone();
    const dead = new Promise<void>((resolve) => {
      const onGone = (e: Entity) => {
        if (e.id !== target.id) return;
        bot.removeListener('entityGone', onGone);
        bot.removeListener('entityDead', onGone);
        resolve();
      };
      bot.on('entityGone', onGone);
      bot.on('entityDead', onGone);
      run.signal.addEventListener(
        'abort',
        () => {
          bot.removeListener('entityGone', onGone);
          bot.removeListener('entityDead', onGone);
        },
        { once: true },
      );
    });
    const track = setInterval(() => {
      if (target.isValid) lastPos = target.position.clone();
    }, 200);
    track.unref?.();
    try {
      bot.pvp.attack(target);
      await dead;
    } finally {
      clearInterval(track);
      try {
        bot.pvp.forceStop();
      } catch {
        /* ignore */
      }
    }
    run.check();
    feedback(bot, `Killed ${mobName}!`);
    // Drops appear a few ticks after death; collect those near where it died.
    await bot.waitForTicks(10);
    const drops = Object.values(bot.entities).filter((e) => (e.name === 'item' || e.type === 'object') && e.position.distanceTo(lastPos) < 4);
    if (drops.length) {
      try {
        await bot.collectBlock.collect(drops, { ignoreNoPath: true });
      } catch (err) {
        run.check();
        feedback(bot, `Could not pick up what the ${mobName} dropped: ${errorMessage(err)}`);
      }
    }
  });
}

/** killMob as the environment offers it (see descriptor.ts). */
export const killMobDescriptor: PrimitiveDescriptor = {
  name: 'killMob',
  description: 'Kill the nearest `mobName` within 48 blocks and pick up its drops; gives up after `timeout` seconds.',
  params: obj({ mobName: named('mob id, e.g. pig'), timeout: { type: 'number', exclusiveMinimum: 0, maximum: 600, default: 300 } }, ['mobName']),
  run: async (bot, a) => {
    await killMob(bot, a.mobName, a.timeout);
    return undefined;
  },
  endowment: (o) => (b: Bot, mobName: string, timeout = 300) => killMob(b, mobName, timeout, o),
  sandbox: {
    calls: { killMob: { params: args([NAME, { type: 'number', exclusiveMinimum: 0, maximum: 300 }], 1), run: (bot, [mob, timeout], o) => killMob(bot, mob, timeout ?? 300, o) } },
    global: "prim('killMob')",
  },
  doc: `// Kill the nearest \`mobName\` within 48 blocks and pick up its drops; give up after \`timeout\` seconds.
// Example: await killMob(bot, "pig", 60);
async function killMob(bot, mobName, timeout = 300) {}`,
};
