/**
 * Test worlds for the mineflayer side: the embedded world of envs/minecraft/server/world.ts when it is
 * present, else a plain flying-squid server (stone/dirt/grass only) on a free loopback port.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Bot } from 'mineflayer';
import type { Vec3 } from 'vec3';
import { freePort } from '../../core/net.js';

export interface TestWorld {
  host: string;
  port: number;
  version: string;
  /** true when the full survival world (trees, ores, crafting, furnace) is running */
  survival: boolean;
  stop(): Promise<void>;
  /** flying-squid server object, for tests that need to poke it (kick a player, give items). */
  serv?: any;
}

const worldModule = fileURLToPath(new URL('../../envs/minecraft/server/world.ts', import.meta.url));

export async function startTestWorld(opts: { seed?: number; plain?: boolean; port?: number; op?: boolean } = {}): Promise<TestWorld> {
  if (!opts.plain && existsSync(worldModule)) {
    const mod: any = await import(worldModule);
    if (typeof mod.startEmbeddedWorld === 'function') {
      const w = await mod.startEmbeddedWorld({ seed: opts.seed ?? 1, port: opts.port, op: opts.op ?? false });
      return { host: w.host, port: w.port, version: w.version, survival: true, stop: () => w.stop(), serv: w.serv ?? w.server };
    }
  }
  const { clearPlayerTimers, containmentPlugin, loadFlyingSquid } = await import('../../envs/minecraft/server/squid.js');
  const squid = loadFlyingSquid();
  const port = opts.port ?? (await freePort());
  const serv = squid.createMCServer({
    port, host: '127.0.0.1', 'online-mode': false, version: '1.16.5', logging: false, noConsoleOutput: true,
    gameMode: 0, difficulty: 1, 'max-players': 20, kickTimeout: 10000, plugins: {}, modpe: false, 'view-distance': 4,
    'player-list-text': { header: { text: '' }, footer: { text: '' } }, 'everybody-op': true, 'max-entities': 100,
    generation: { name: 'diamond_square', options: { worldHeight: 80, seed: opts.seed ?? 1 } }, motd: 'test', debug: () => {},
  });
  // The embedded world's own clean-up of flying-squid's per-player timers (squid.ts).
  serv.addPlugin('skillforge-containment', containmentPlugin, {});
  await new Promise<void>((resolve, reject) => {
    serv.once('listening', () => resolve());
    serv.once('error', reject);
  });
  return {
    host: '127.0.0.1', port, version: '1.16.5', survival: false, serv,
    stop: async () => {
      // quit() alone left the 20 tps tick loop and the players' intervals running for the rest of
      // the test process: every later world in a shared mocha run shared the CPU with them.
      serv.stopTickInterval?.();
      for (const p of serv.players ?? []) clearPlayerTimers(p);
      try { await serv.quit?.('test over'); } catch { /* closed */ }
    },
  };
}

/** An air block next to the bot, on solid ground, not where the bot stands: a spot for a test to place something. */
export function freeSpotNextTo(bot: Bot): Vec3 {
  const feet = bot.entity.position.floored();
  const solid = (p: Vec3) => {
    const b = bot.blockAt(p);
    return !!b && b.boundingBox === 'block';
  };
  const free = (p: Vec3) => {
    const b = bot.blockAt(p);
    return !!b && (b.name === 'air' || b.name === 'cave_air' || b.name === 'grass' || b.name === 'tall_grass');
  };
  for (let r = 1; r <= 3; r++) {
    for (const dy of [0, 1, -1]) {
      for (let dx = -r; dx <= r; dx++) {
        for (let dz = -r; dz <= r; dz++) {
          if (Math.max(Math.abs(dx), Math.abs(dz)) !== r) continue;
          const p = feet.offset(dx, dy, dz);
          if (free(p) && solid(p.offset(0, -1, 0)) && free(p.offset(0, 1, 0))) return p;
        }
      }
    }
  }
  throw new Error('no free spot with solid ground next to the bot');
}

