/**
 * Test fixture for the container-window plugins: the embedded survival world on 127.0.0.1 (free port,
 * temporary world folder) and unmodified mineflayer bots.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { startEmbeddedWorld, MINECRAFT_VERSION } from '../../envs/minecraft/server/world.js';
import { withTimeout } from '../../core/timeout.js';
import { giveOrDrop, itemClass, type SquidPlayer, type SquidServer } from '../../envs/minecraft/server/plugins/windows.js';

const require = createRequire(import.meta.url);
export const VERSION = MINECRAFT_VERSION;

export interface TestServer {
  serv: SquidServer;
  port: number;
  worldFolder: string;
  /** Errors the server emitted (plugins report failures this way); tests expect none. */
  errors: unknown[];
  /** Stop the world; the world folder is removed unless `keepFolder`. */
  close(keepFolder?: boolean): Promise<void>;
}

/**
 * Start the embedded world (envs/minecraft/server/world.ts: seeded terrain and every plugin of the
 * plugins folder) in a world folder of our own, so tests can read what plugins save there.
 */
export async function startServer(options: { seed?: number; worldFolder?: string } = {}): Promise<TestServer> {
  const worldFolder = options.worldFolder ?? mkdtempSync(join(tmpdir(), 'sf-windows-'));
  const world = await startEmbeddedWorld({ seed: options.seed ?? 7, worldFolder, viewDistance: 3 });
  const serv: SquidServer = world.server;
  const errors: unknown[] = [];
  serv.on('error', (err: unknown) => errors.push(err));
  return {
    serv,
    port: world.port,
    worldFolder,
    errors,
    async close(keepFolder = false) {
      await world.stop();
      if (!keepFolder) rmSync(worldFolder, { recursive: true, force: true });
    },
  };
}

/** Join an unmodified mineflayer bot and wait for it to spawn. */
export async function joinBot(port: number, username: string): Promise<Bot> {
  const mineflayer = require('mineflayer');
  const bot: Bot = mineflayer.createBot({ host: '127.0.0.1', port, username, version: VERSION, auth: 'offline' });
  await withTimeout(new Promise<void>((resolve, reject) => {
    bot.once('spawn', () => resolve());
    bot.once('error', reject);
    bot.once('kicked', (reason: string) => reject(new Error(`kicked: ${reason}`)));
  }), 15_000, 'bot spawn');
  await waitForWall(() => bot.entity?.onGround === true, 5_000, 'the bot to land').catch(() => {});
  return bot;
}

/** The server-side player of a bot. */
export function playerOf(serv: SquidServer, username: string): SquidPlayer {
  const p = serv.players.find((x) => x.username === username);
  if (!p) throw new Error(`no player ${username}`);
  return p;
}

/** Put items into a player's inventory from the server side, as a test setup step. */
export function give(serv: SquidServer, username: string, name: string, count: number): void {
  const Item = itemClass(serv);
  const def = serv.registry.itemsByName[name];
  if (!def) throw new Error(`unknown item ${name}`);
  giveOrDrop(serv, playerOf(serv, username), new Item(def.id, count));
}

/** Poll `cond` until it holds, by the wall clock (only where no server is at hand). */
async function waitForWall(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Poll `cond` until it holds, for at most `gameMs` of the server's game time (20 ticks a second):
 * on a loaded machine the server and the bots slow down together, so a wall-clock bound failed
 * tests for nothing but load. Quiet, a game second is a second.
 */
export async function waitFor(serv: SquidServer, cond: () => boolean, gameMs = 5_000, what = 'condition'): Promise<void> {
  const end = serv.tickCount + Math.ceil(gameMs / 50);
  while (!cond()) {
    if (serv.tickCount > end) throw new Error(`timed out after ${gameMs / 1000} s of game time waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The server tick (serv.tickCount) on which `cond` first holds, checked after every server tick
 * (after the plugins' own tick handlers). Game mechanics are measured in these ticks: under CPU load
 * the server ticks slower than 20 per second, so wall-clock seconds say nothing about game speed.
 * `ms` only bounds the wait.
 */
export function tickWhen(serv: SquidServer, cond: () => boolean, ms = 60_000, what = 'condition'): Promise<number> {
  return new Promise((resolve, reject) => {
    const onTick = () => {
      let ok = false;
      try {
        ok = cond();
      } catch (err) {
        done();
        reject(err);
        return;
      }
      if (ok) {
        done();
        resolve(serv.tickCount);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${what} (server tick ${serv.tickCount})`));
    }, ms);
    const done = () => {
      clearTimeout(timer);
      serv.removeListener('tick', onTick);
    };
    serv.on('tick', onTick);
  });
}

/** Item counts by name over window-0 slots 0-45 (server side) or the bot's inventory slots. */
export function countsOf(slots: Array<{ name: string; count: number } | null | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of slots) if (it) out[it.name] = (out[it.name] ?? 0) + it.count;
  return out;
}

/** Server and client agree on every inventory slot. */
export function inventoriesAgree(serv: SquidServer, bot: Bot): boolean {
  const server = playerOf(serv, bot.username).inventory.slots as Array<{ type: number; count: number } | null>;
  for (let i = 0; i < 46; i++) {
    const a = server[i] ?? null;
    const b = bot.inventory.slots[i] ?? null;
    if (!a !== !b) return false;
    if (a && b && (a.type !== b.type || a.count !== b.count)) return false;
  }
  return true;
}

const INTERACTIVE = new Set(['chest', 'trapped_chest', 'barrel', 'ender_chest', 'furnace', 'crafting_table']);

/**
 * Place a block of `itemName` from the bot's inventory on solid ground near it, the way a player
 * does (equip, right-click the top face of a block), and return the placed block.
 */
export async function placeNear(bot: Bot, itemName: string, avoid: Array<{ x: number; y: number; z: number }> = []): Promise<NonNullable<ReturnType<Bot['blockAt']>>> {
  const feet = bot.entity.position.floored();
  const taken = (p: { x: number; y: number; z: number }) => avoid.some((a) => a.x === p.x && a.y === p.y && a.z === p.z);
  for (const [dx, dz] of [[2, 0], [-2, 0], [0, 2], [0, -2], [2, 2], [-2, -2], [2, -2], [-2, 2], [3, 0], [0, 3]]) {
    for (const dy of [-1, 0, -2, 1]) {
      const ground = bot.blockAt(feet.offset(dx, dy, dz));
      const above = bot.blockAt(feet.offset(dx, dy + 1, dz));
      const above2 = bot.blockAt(feet.offset(dx, dy + 2, dz));
      if (!ground || !above || !above2 || ground.boundingBox !== 'block' || above.name !== 'air' || above2.name !== 'air') continue;
      // Right-clicking a container or table would open it instead of placing on it.
      if (taken(above.position) || taken(ground.position) || INTERACTIVE.has(ground.name)) continue;
      return placeOn(bot, itemName, ground);
    }
  }
  throw new Error(`no free solid ground near ${feet} to place ${itemName}`);
}

/** Place a block of `itemName` on top of `ground`. */
export async function placeOn(bot: Bot, itemName: string, ground: NonNullable<ReturnType<Bot['blockAt']>>): Promise<NonNullable<ReturnType<Bot['blockAt']>>> {
  await bot.equip(bot.registry.itemsByName[itemName].id, 'hand');
  await bot.lookAt(ground.position.offset(0.5, 1, 0.5), true);
  await bot.placeBlock(ground, new Vec3(0, 1, 0));
  const placed = bot.blockAt(ground.position.offset(0, 1, 0));
  if (placed?.name !== itemName) throw new Error(`placing ${itemName} left ${placed?.name}`);
  return placed;
}
