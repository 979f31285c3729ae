/**
 * Test fixture for the container-window plugins: a flying-squid 1.16.5 survival server on 127.0.0.1
 * (free port, temporary world folder, flat world) with the given plugins, and unmodified mineflayer bots.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bot } from 'mineflayer';
import { freePort } from '../../core/net.js';
import { withTimeout } from '../../core/timeout.js';
import { giveOrDrop, itemClass, type SquidPlayer, type SquidPlugin, type SquidServer } from '../../envs/minecraft/server/plugins/windows.js';

const require = createRequire(import.meta.url);
export const VERSION = '1.16.5';

export interface TestServer {
  serv: SquidServer;
  port: number;
  worldFolder: string;
  /** Errors the server emitted (plugins report failures this way); tests expect none. */
  errors: unknown[];
  close(): Promise<void>;
}

/** Start flying-squid with `plugins` (name -> plugin) and wait until players may join. */
export async function startServer(plugins: Record<string, SquidPlugin>, extra: Record<string, unknown> = {}): Promise<TestServer> {
  const squid = require('flying-squid');
  const port = await freePort();
  const worldFolder = mkdtempSync(join(tmpdir(), 'sf-windows-'));
  const serv: SquidServer = squid.createMCServer({
    port,
    host: '127.0.0.1',
    'online-mode': false,
    logging: false,
    gameMode: 0,
    difficulty: 0,
    worldFolder,
    generation: { name: 'superflat', options: { worldHeight: 80 } },
    kickTimeout: 10000,
    plugins: {},
    modpe: false,
    'view-distance': 2,
    'max-players': 10,
    'everybody-op': true,
    'max-entities': 100,
    'player-list-text': { header: { text: '' }, footer: { text: '' } },
    version: VERSION,
    ...extra,
  });
  const errors: unknown[] = [];
  serv.on('error', (err: unknown) => errors.push(err));
  // Quiet flying-squid's console logging in tests.
  for (const level of ['info', 'log', 'debug'] as const) serv[level] = () => {};
  for (const [name, plugin] of Object.entries(plugins)) serv.addPlugin(name, plugin, {});
  await serv.waitForReady(10_000);
  return {
    serv,
    port,
    worldFolder,
    errors,
    async close() {
      try {
        await serv.quit('test over');
      } catch {
        /* already closed */
      }
      rmSync(worldFolder, { recursive: true, force: true });
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
  await waitFor(() => bot.entity?.onGround === true, 5_000).catch(() => {});
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

/** Poll `cond` until it holds. */
export async function waitFor(cond: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
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
