/**
 * Helpers for tests of the embedded world that drive it with unmodified mineflayer (plus
 * mineflayer-pathfinder to walk), as a real client does.
 */
import { createRequire } from 'node:module';
import type { Bot } from 'mineflayer';
import type { Vec3 } from 'vec3';
import { startEmbeddedWorld, type EmbeddedWorld, type EmbeddedWorldOptions } from '../../envs/minecraft/server/world.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const mineflayer = require('mineflayer') as typeof import('mineflayer');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const pathfinderPkg = require('mineflayer-pathfinder') as any;

export async function joinWorld(world: EmbeddedWorld, username: string, onCreate?: (bot: Bot) => void): Promise<Bot> {
  const bot = mineflayer.createBot({ host: world.host, port: world.port, version: world.version, username, auth: 'offline', logErrors: false });
  onCreate?.(bot);
  bot.loadPlugin(pathfinderPkg.pathfinder);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${username} did not spawn within 15 s`)), 15000);
    bot.once('spawn', () => {
      clearTimeout(timer);
      resolve();
    });
    bot.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    bot.once('kicked', (reason) => {
      clearTimeout(timer);
      reject(new Error(`${username} kicked: ${reason}`));
    });
  });
  await bot.waitForChunksToLoad();
  const moves = new pathfinderPkg.Movements(bot);
  moves.canDig = false; // walk only: tests decide what gets dug
  moves.allow1by1towers = false;
  bot.pathfinder.setMovements(moves);
  return bot;
}

/**
 * A world of the test's own with one bot in it: runs `fn`, then ends the bot and stops the world
 * whatever happened. For tests that start a world per case, often with a plugin left out to show
 * what it fixes.
 */
export async function withBotInWorld<T>(options: EmbeddedWorldOptions, username: string, fn: (world: EmbeddedWorld, bot: Bot) => Promise<T>): Promise<T> {
  const world = await startEmbeddedWorld(options);
  let bot: Bot | undefined;
  try {
    bot = await joinWorld(world, username);
    return await fn(world, bot);
  } finally {
    bot?.end();
    await world.stop();
  }
}

export async function goNear(bot: Bot, pos: Vec3, range: number, ms = 15000): Promise<void> {
  const { GoalNear } = pathfinderPkg.goals;
  await withTimer(bot.pathfinder.goto(new GoalNear(pos.x, pos.y, pos.z, range)), ms, `${bot.username} reaching ${pos}`);
}

export function count(bot: Bot, name: string): number {
  return bot.inventory.items().filter((i) => i.name === name).reduce((s, i) => s + i.count, 0);
}

/**
 * Wait for `check` to hold, counting the world's game ticks (not wall-clock time, which a loaded
 * machine stretches while the world slows down too). Resolves whether it held within `ticks`;
 * with no check, simply waits `ticks` game ticks.
 */
export async function untilTicks(world: EmbeddedWorld, ticks: number, check: () => boolean = () => false): Promise<boolean> {
  const serv = world.server as { tickCount: number };
  const end = serv.tickCount + ticks;
  while (!check()) {
    if (serv.tickCount >= end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** `untilTicks` as a requirement: throws naming `what` when `check` does not hold within `ticks` game ticks. */
export async function withinTicks(world: EmbeddedWorld, check: () => boolean, ticks: number, what: string): Promise<void> {
  if (!(await untilTicks(world, ticks, check))) throw new Error(`${what}: not within ${ticks} game ticks`);
}

/**
 * flying-squid ends a login by sending the login position once more, then the chunks around it:
 * a test that moves the player waits for both (60 game ticks, and no chunk batch going out).
 */
export async function settleAfterLogin(world: EmbeddedWorld, player: { sendingChunks?: boolean }): Promise<void> {
  await untilTicks(world, 60);
  await untilTicks(world, 600, () => !player.sendingChunks);
}

/** `withinTicks` with the bound as game time: `gameMs` milliseconds at 20 ticks a second. */
export async function waitFor(world: EmbeddedWorld, check: () => boolean, gameMs: number, what: string): Promise<void> {
  await withinTicks(world, check, Math.ceil(gameMs / 50), what);
}

/** Walk onto the dropped items near `pos` until `name` reaches `atLeast` in the inventory. */
export async function pickUp(bot: Bot, pos: Vec3, name: string, atLeast: number, ms = 10000): Promise<void> {
  const { GoalNear } = pathfinderPkg.goals;
  const end = Date.now() + ms;
  let chasing: number | undefined;
  try {
    while (count(bot, name) < atLeast) {
      if (Date.now() > end) throw new Error(`${bot.username} has ${count(bot, name)} ${name}, wanted ${atLeast}`);
      const item = bot.nearestEntity((e) => e.name === 'item' && e.position.distanceTo(pos) < 6);
      if (item && item.id !== chasing) {
        chasing = item.id;
        const p = item.position.floored();
        bot.pathfinder.setGoal(new GoalNear(p.x, p.y, p.z, 0));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    bot.pathfinder.setGoal(null);
  }
}

async function withTimer<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
