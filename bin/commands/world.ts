/**
 * `skillforge world`: run the embedded Minecraft survival world alone on 127.0.0.1, for players or
 * outside bots to join, until Ctrl-C.
 *
 *   skillforge world                          # seed 1, a free port, printed on start
 *   skillforge world --seed 42 --port 25565   # then join 127.0.0.1:25565 with a 1.16.5 client
 *   skillforge world --op                     # everyone may use /give, /clear, /tp, /time...
 *   skillforge world --hostile-mobs           # zombies, spiders, skeletons, creepers, endermen at night
 *   skillforge world --hostile-mobs skeleton  # only skeletons
 *   skillforge world --viewer                 # also a 3D view in the browser (needs prismarine-viewer)
 *
 * Lines typed on the terminal are server console commands (e.g. `time set day`).
 */
import type { Command } from 'commander';
import { createRequire } from 'node:module';
import { SkillforgeError } from '../../core/errors.js';
import { intOption } from '../options.js';
import { addUiOptions, type UiFlags } from '../../ui/launch.js';

interface WorldFlags extends UiFlags {
  seed: string;
  port: string;
  version?: string;
  op?: boolean;
  viewer?: boolean;
  viewerPort: string;
  json?: boolean;
  log?: boolean;
  hostileMobs?: boolean | string;
}

export function register(program: Command): void {
  addUiOptions(program
    .command('world'))
    .description('run the embedded Minecraft survival world (flying-squid) on 127.0.0.1 until Ctrl-C')
    .option('--seed <n>', 'world seed (same seed, same world)', '1')
    .option('--port <n>', 'TCP port (default: a free one)', '0')
    .option('--version <v>', 'Minecraft version (default: the tested one, 1.16.5)')
    .option('--op', 'make every player an operator (/give, /clear, /tp...)')
    .option('--hostile-mobs [kinds]', 'hostile mobs at night near survival players: all of zombie, spider, skeleton, creeper, enderman, or the comma-separated ones named')
    .option('--viewer', 'serve a 3D view of the world in the browser (prismarine-viewer)')
    .option('--viewer-port <n>', 'port of the 3D view', '3007')
    .option('--log', 'print the server log')
    .option('--json', 'print one JSON line with host, port, version, seed and spawn')
    .action(async (flags: WorldFlags) => {
      const seed = intOption(flags.seed, '--seed', -2147483648, 4294967295);
      const port = intOption(flags.port, '--port', 0, 65535);
      const viewerPort = intOption(flags.viewerPort, '--viewer-port', 1, 65535);
      // Check before starting anything: a missing viewer should not cost a server start.
      const viewer = flags.viewer ? loadViewer() : undefined;
      const { startEmbeddedWorld, hostileMobsFlag } = await import('../../envs/minecraft/server/world.js');
      const world = await startEmbeddedWorld({ seed, port: port || undefined, version: flags.version, op: !!flags.op, logging: !!flags.log, hostileMobs: hostileMobsFlag(flags.hostileMobs) });
      // Listen for Ctrl-C before telling anyone the world is up.
      let onClose: () => void = () => {};
      const { untilStopped } = await import('../signals.js');
      const closed = new Promise<void>((resolve) => {
        onClose = resolve;
        void untilStopped().then(() => resolve()); // SIGINT or SIGTERM: stop the world, exit 130/143
      });
      const { host, version, spawn } = world;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ host, port: world.port, version, seed, spawn, plugins: world.plugins })}\n`);
      } else {
        process.stdout.write(
          `Minecraft ${version} world (seed ${seed}) on ${host}:${world.port}, offline mode, survival\n` +
            `  spawn ${spawn.x} ${spawn.y} ${spawn.z}; plugins: ${world.plugins.join(', ')}\n` +
            `  join with a ${version} client or: mineflayer.createBot({ host: '${host}', port: ${world.port}, version: '${version}', auth: 'offline', username })\n` +
            `  type console commands here; Ctrl-C stops the world\n`,
        );
      }
      const { startUiIfAsked } = await import('../../ui/launch.js');
      const ui = await startUiIfAsked(flags, { title: `skillforge world (seed ${seed})`, log: (s) => process.stderr.write(`${s}\n`) });
      // The players as the server sees them (position, health, food), while someone watches.
      const players = ui
        ? setInterval(() => {
            if (ui.hub.watchers === 0) return;
            for (const p of (world.server.players ?? []) as { username: string; position?: { x: number; y: number; z: number }; health?: number; food?: number }[]) {
              if (p.position) ui.hub.observation(p.username, { position: { ...p.position }, ...(p.health !== undefined ? { health: p.health } : {}), ...(p.food !== undefined ? { food: p.food } : {}) });
            }
          }, 1000)
        : undefined;
      players?.unref();
      let closeViewer: (() => void) | undefined;
      if (viewer) closeViewer = await startViewer(viewer, world, viewerPort);

      const readline = await import('node:readline');
      const rl = process.stdin.isTTY ? readline.createInterface({ input: process.stdin }) : undefined;
      rl?.on('line', (line) => {
        const cmd = line.trim().replace(/^\//, '');
        if (cmd) void Promise.resolve(world.server.handleCommand(cmd)).catch((e: unknown) => process.stderr.write(`${String(e)}\n`));
      });
      rl?.once('close', () => onClose());
      await closed;
      rl?.close();
      process.stdout.write('stopping the world...\n');
      closeViewer?.();
      clearInterval(players);
      await ui?.close();
      await world.stop();
      // Should a library timer still hold the loop, bin's main() ends the process within a second.
    });
}

/* eslint-disable @typescript-eslint/no-explicit-any */
function loadViewer(): any {
  const require = createRequire(import.meta.url);
  try {
    return require('prismarine-viewer');
  } catch (err) {
    const canvasMissing = /canvas/.test(String((err as Error)?.message));
    throw new SkillforgeError(
      'E_VIEWER_MISSING',
      canvasMissing
        ? 'the 3D viewer needs the native `canvas` package, which is not built on this machine'
        : 'the 3D viewer (prismarine-viewer) is not installed',
      {
        hint:
          'prismarine-viewer is optional and not a skillforge dependency: it pulls the native `canvas` addon, whose prebuilt ' +
          'binary is downloaded at install time (this fails offline). With network access: `npm install --no-save prismarine-viewer`; ' +
          'offline, build canvas from source after `apt-get install build-essential libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev`. ' +
          'Run without --viewer meanwhile.',
      },
    );
  }
}

/** A spectator bot that feeds prismarine-viewer's browser page. Returns a closer. */
async function startViewer(viewerModule: any, world: { host: string; port: number; version: string }, viewerPort: number): Promise<() => void> {
  const require = createRequire(import.meta.url);
  const mineflayer = require('mineflayer');
  const bot = mineflayer.createBot({ host: world.host, port: world.port, version: world.version, username: 'viewer', auth: 'offline' });
  await new Promise<void>((resolve, reject) => {
    bot.once('spawn', () => resolve());
    bot.once('error', reject);
  });
  viewerModule.mineflayer(bot, { port: viewerPort, firstPerson: false });
  process.stdout.write(`  3D view: http://127.0.0.1:${viewerPort}\n`);
  return () => {
    bot.viewer?.close?.();
    bot.end();
  };
}
