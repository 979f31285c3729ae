/**
 * The embedded Minecraft survival world: flying-squid started in this process on 127.0.0.1, in
 * offline mode and survival game mode, with skillforge's seeded world generation and every plugin
 * of envs/minecraft/server/plugins/ (harvest rules, passive mobs, crafting, furnaces, chests...).
 * The world lives in a temporary folder that stop() removes, so runs never leave files behind.
 *
 * @example
 * const world = await startEmbeddedWorld({ seed: 42 });
 * const bot = mineflayer.createBot({ host: world.host, port: world.port, version: world.version, username: 'a', auth: 'offline' });
 * // ...
 * await world.stop();
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SkillforgeError, errorMessage } from '../../../core/errors.js';
import { withTimeout } from '../../../core/timeout.js';
import { GENERATION_NAME, skillforgeGeneration, type ChunkGenerator } from './generator.js';
import type { SquidPlugin, SquidServer } from './plugin.js';
import { clearPlayerTimers, containmentPlugin, loadFlyingSquid } from './squid.js';
import { HOSTILE_MOBS, parseHostileKinds, type HostileMob } from './plugins/hostile.js';
import { MINECRAFT_VERSION } from './version.js';

export { MINECRAFT_VERSION } from './version.js';

export interface EmbeddedWorldOptions {
  /** World seed; the same seed gives the same world. */
  seed: number;
  /** TCP port on 127.0.0.1; by default the OS picks a free one. */
  port?: number;
  /** Minecraft version (default MINECRAFT_VERSION, the one all plugins are tested with). */
  version?: string;
  /**
   * Names (file names without extension) of the plugins of envs/minecraft/server/plugins/ to load;
   * default: all of them.
   */
  plugins?: string[];
  /** More plugins, loaded after the folder's, keyed by name. */
  extraPlugins?: Record<string, SquidPlugin>;
  /** true: server log lines to stderr; a function receives them; default: silent. */
  logging?: boolean | ((line: string) => void);
  /** Every player is an operator (may use /give, /tp...). Default false: survival without cheats. */
  op?: boolean;
  /** Chunks sent around each player (default 6). */
  viewDistance?: number;
  /** Keep the world in this folder instead of a temporary one (it is then not deleted). */
  worldFolder?: string;
  /**
   * Passive mob herds (plugins/mobs.ts): how many of each kind, how far from spawn, respawn delay;
   * false for none. Default: 3 of each kind 6-18 blocks from spawn, back 60 s after death, and new
   * herds around players whose 48-block area holds fewer than 8 (perArea), up to 80 (maxTotal).
   */
  passiveMobs?: { perKind?: number; minDistance?: number; maxDistance?: number; respawnMs?: number; perArea?: number; maxTotal?: number } | false;
  /**
   * Hostile mobs around survival players at night (plugins/hostile.ts): true for all of zombie,
   * spider, skeleton, creeper and enderman, a list of those names for some, or settings. Default
   * false: the world stays safe for agents that are still learning.
   */
  hostileMobs?: boolean | readonly HostileMob[] | { maxPerPlayer?: number; minDistance?: number; maxDistance?: number; kinds?: readonly HostileMob[] };
  /** Use flying-squid's own generation instead of skillforge's (benchmarks compare the two). */
  generation?: { name: string; options?: Record<string, unknown> };
}

export interface EmbeddedWorld {
  host: string;
  port: number;
  version: string;
  seed: number;
  /** Block where players appear (their feet); they stand at its centre, x + 0.5, z + 0.5. */
  spawn: { x: number; y: number; z: number };
  /** The flying-squid server object (serv): overworld, players, entities, commands... */
  server: SquidServer;
  /** Names of the plugins loaded, in load order. */
  plugins: string[];
  /** Where the world is stored (a temporary folder unless `worldFolder` was given). */
  worldFolder: string;
  /** Kick every player (they see 'end'), close the port, remove the temporary world. Idempotent. */
  stop(): Promise<void>;
}

const PLUGIN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'plugins');
const HOST = '127.0.0.1';

/** The plugin files of envs/minecraft/server/plugins/, by name, in load (name) order. */
export function pluginFiles(): Array<{ name: string; file: string }> {
  let files: string[];
  try {
    files = readdirSync(PLUGIN_DIR);
  } catch {
    return [];
  }
  return files
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('.'))
    .sort()
    .map((f) => ({ name: basename(f, extname(f)), file: join(PLUGIN_DIR, f) }));
}

/**
 * A plugin module's hooks: its default export, or its named server/player/entity exports.
 * Modules with neither are helpers shared by plugins (e.g. windows.ts for crafting, furnace and
 * chest) and are skipped.
 */
async function loadPlugin(file: string): Promise<SquidPlugin | null> {
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown> & { default?: unknown };
  const isPlugin = (o: unknown): o is SquidPlugin =>
    !!o && typeof o === 'object' && ['server', 'player', 'entity'].some((h) => typeof (o as Record<string, unknown>)[h] === 'function');
  if (isPlugin(mod.default)) return mod.default;
  if (isPlugin(mod)) return { server: mod.server, player: mod.player, entity: mod.entity } as SquidPlugin;
  return null;
}

/**
 * Start the embedded world and wait until players can join.
 * Rejects with a SkillforgeError if the port is taken or a plugin fails to load.
 */
export async function startEmbeddedWorld(options: EmbeddedWorldOptions): Promise<EmbeddedWorld> {
  const seed = Number(options.seed);
  if (!Number.isInteger(seed)) {
    throw new SkillforgeError('E_WORLD_SEED', `world seed must be an integer, got ${String(options.seed)}`, { hint: 'pass --seed 42' });
  }
  const version = options.version ?? MINECRAFT_VERSION;
  const log = logger(options.logging);

  const available = pluginFiles();
  const wanted = options.plugins ?? available.map((p) => p.name);
  const unknown = wanted.filter((n) => !available.some((p) => p.name === n));
  if (unknown.length) {
    throw new SkillforgeError('E_PLUGIN', `unknown world plugin(s): ${unknown.join(', ')}`, {
      hint: `available: ${available.map((p) => p.name).join(', ') || '(none)'}`,
    });
  }
  const plugins: Array<[string, SquidPlugin]> = [];
  for (const p of available) {
    if (!wanted.includes(p.name)) continue;
    let plugin: SquidPlugin | null;
    try {
      plugin = await loadPlugin(p.file);
    } catch (err) {
      throw new SkillforgeError('E_PLUGIN', `world plugin ${p.name} failed to load: ${errorMessage(err)}`, {
        cause: err,
        hint: `fix ${p.file} or leave it out with the plugins option`,
      });
    }
    if (plugin) plugins.push([p.name, plugin]);
  }
  for (const [name, plugin] of Object.entries(options.extraPlugins ?? {})) plugins.push([name, plugin]);

  const squid = loadFlyingSquid();
  squid.generations[GENERATION_NAME] ??= skillforgeGeneration;

  // A taken port is found before anything is created: flying-squid, started on it, fails but keeps
  // initialising its world in the background (an unhandled ENOENT for level.dat once the folder is gone).
  if (options.port) await checkPortFree(options.port);
  const ownFolder = options.worldFolder === undefined;
  if (ownFolder) removeOrphanedWorlds();
  const worldFolder = options.worldFolder ?? mkdtempSync(join(tmpdir(), WORLD_PREFIX));
  if (ownFolder) ownTemporaryWorld(worldFolder);
  const settings = {
    motd: 'skillforge embedded world',
    host: HOST,
    port: options.port ?? 0,
    'max-players': 50,
    'online-mode': false,
    // flying-squid's own file logging writes ./logs in the working directory: never.
    logging: false,
    noConsoleOutput: true,
    // A function here also tells flying-squid's errorHandler not to take over the process.
    debug: (msg: unknown) => log(`[debug] ${String(msg)}`),
    gameMode: 0,
    difficulty: 1,
    worldFolder,
    generation: options.generation ?? { name: GENERATION_NAME, options: { seed } },
    kickTimeout: 10000,
    plugins: {},
    modpe: false,
    'view-distance': options.viewDistance ?? 6,
    'player-list-text': { header: 'skillforge', footer: '' },
    'everybody-op': options.op ?? false,
    'max-entities': 500,
    version,
    seed,
    passiveMobs: options.passiveMobs,
    hostileMobs: hostileSettings(options.hostileMobs),
  };
  // flying-squid treats seed 0 as "pick a random one"; the generation reads our seed first.
  if (settings.generation.name === GENERATION_NAME) settings.generation.options = { ...settings.generation.options, seed: seed === 0 ? 0x5eed : seed, skillforgeSeed: seed };

  let serv: SquidServer;
  try {
    serv = squid.createMCServer(settings);
  } catch (err) {
    if (ownFolder) rmSync(worldFolder, { recursive: true, force: true });
    throw new SkillforgeError('E_WORLD_START', `the embedded world did not start: ${errorMessage(err)}`, {
      cause: err,
      hint: `version ${version} must be one flying-squid supports (${MINECRAFT_VERSION} is tested)`,
    });
  }
  serv.log = (line: string) => log(line);

  const failed = new Promise<never>((_, reject) => {
    serv.once('error', (err: unknown) => reject(err));
  });
  const pending: Array<Promise<void>> = [];
  const everyPlayer = new Set<unknown>();
  serv.on('newPlayer', (p: { once(e: string, f: () => void): void }) => {
    everyPlayer.add(p);
    p.once('disconnected', () => everyPlayer.delete(p));
  });
  serv.addPlugin('skillforge-containment', containmentPlugin, {});
  for (const [name, plugin] of plugins) {
    // addPlugin runs the server hook at once (built-ins are set up by now); collect async ones.
    const wrapped = {
      ...plugin,
      server: plugin.server
        ? (s: SquidServer, set: Record<string, unknown>) => {
            pending.push(Promise.resolve().then(() => plugin.server!.call(plugin, s, set)).then(() => undefined));
          }
        : undefined,
    };
    serv.addPlugin(name, wrapped, {});
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= shutdown(serv, worldFolder, ownFolder, everyPlayer));
  try {
    await withTimeout(Promise.race([Promise.all([serv.waitForReady(15000), ...pending]), failed]), 20000, 'starting the embedded world');
  } catch (err) {
    await stop().catch(() => {});
    const inUse = (err as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
    throw new SkillforgeError('E_WORLD_START', `the embedded world did not start: ${errorMessage(err)}`, {
      cause: err,
      hint: inUse ? `port ${options.port} is taken: choose another or leave --port out for a free one` : undefined,
    });
  }
  for (const w of [serv.overworld, serv.netherworld]) {
    guardStorage(w);
    keepChangesDuringSaves(w);
  }
  const gen = serv.overworld.chunkGenerator as Partial<ChunkGenerator>;
  const spawn = gen.spawnPoint ?? (await serv.getSpawnPoint(serv.overworld));
  return {
    host: HOST,
    port: serv._server.socketServer.address().port as number,
    version,
    seed,
    spawn: { x: Math.floor(spawn.x), y: Math.floor(spawn.y), z: Math.floor(spawn.z) },
    server: serv,
    plugins: plugins.map(([n]) => n),
    worldFolder,
    stop,
  };
}

async function shutdown(serv: SquidServer, worldFolder: string, ownFolder: boolean, everyPlayer: Set<unknown>): Promise<void> {
  // Kick clients first: flying-squid's destroy() alone leaves them connected with a write()
  // that throws, which its keep-alive timers then hit.
  const clients = Object.values((serv._server?.clients ?? {}) as Record<string, { end(reason: string): void; socket?: { destroy(): void } }>);
  const gone = (serv.players ?? []).map(
    (p: { disconnected?: boolean; once(e: string, f: () => void): void }) =>
      new Promise<void>((resolve) => (p.disconnected ? resolve() : p.once('disconnected', () => resolve()))),
  );
  // Save players now (or not at all for a throw-away world) so no save lands after the folder is gone.
  for (const p of (serv.players ?? []) as Array<{ save(): Promise<void> }>) {
    if (!ownFolder) await p.save().catch(() => {});
    p.save = async () => {};
  }
  for (const c of clients) {
    try {
      c.end('Server closed');
    } catch {
      /* already closed */
    }
  }
  await withTimeout(Promise.all(gone), 2000, 'players leaving').catch(() => {});
  for (const c of clients) c.socket?.destroy();
  for (const p of everyPlayer) clearPlayerTimers(p);
  serv.stopTickInterval?.();
  for (const w of [serv.overworld, serv.netherworld]) {
    w?.stopSaving?.();
    if (!ownFolder) await w?.saveNow?.().catch(() => {});
    await Promise.resolve(w?.finishedSaving).catch(() => {});
    // Region files stay open until the provider closes them.
    await (w?.storageProvider?.skillforgeClose ?? w?.storageProvider?.close)?.call(w.storageProvider).catch(() => {});
  }
  try {
    await serv.destroy();
  } catch {
    /* the socket server may already be closed */
  }
  serv.emit('skillforgeStopped');
  // Removed now, and again at exit: a chunk save still in flight in flying-squid can recreate it.
  if (ownFolder) rmSync(worldFolder, { recursive: true, force: true });
}

const WORLD_PREFIX = 'skillforge-world-';
/** In each temporary world folder: the pid of the process that owns it. */
const OWNER_FILE = 'skillforge-owner.json';

async function checkPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new SkillforgeError('E_WORLD_START', `the embedded world did not start: port ${port} on ${HOST} is taken`, { hint: `choose another port (port ${port} is taken), or leave --port out for a free one` })
          : new SkillforgeError('E_WORLD_START', `the embedded world did not start: cannot listen on ${HOST}:${port}: ${err.message}`, { hint: 'choose another port, or leave --port out for a free one' }),
      );
    });
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
}

/**
 * Mark a temporary world folder as this process's (so a later process can sweep it up if this one is
 * killed) and remove it when the process exits, however it exits: a forced exit after a second
 * Ctrl-C, a fatal error, or a late write that recreated it after a clean stop.
 */
function ownTemporaryWorld(folder: string): void {
  writeFileSync(join(folder, OWNER_FILE), JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
  removeOnExit.add(folder);
}

/** Temporary worlds of processes that are gone (killed with SIGKILL, crashed): removed. */
export function removeOrphanedWorlds(dir = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(WORLD_PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    const folder = join(dir, name);
    const owner = join(folder, OWNER_FILE);
    if (!existsSync(owner)) continue; // not ours to judge (a world from an older version, or being created)
    try {
      const { pid } = JSON.parse(readFileSync(owner, 'utf8')) as { pid: number };
      if (pid === process.pid || processAlive(pid)) continue;
      rmSync(folder, { recursive: true, force: true });
      removed.push(folder);
    } catch {
      /* unreadable or already removed: leave it */
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temp world folders of this process (one exit listener for all, however many worlds it starts). */
const removeOnExit = new Set<string>();
process.on('exit', () => {
  for (const folder of removeOnExit) rmSync(folder, { recursive: true, force: true });
});

/**
 * Once the world stops, region files are closed, but flying-squid may still have a chunk read in
 * flight (a player's last packet being handled): such reads must not reject into the host process.
 * After `skillforgeClose`, the provider's reads and writes resolve to null instead of failing.
 */
function guardStorage(world: { storageProvider?: Record<string, any> | null } | undefined): void {
  const provider = world?.storageProvider;
  if (!provider || provider.skillforgeClose) return;
  let closed = false;
  for (const method of ['load', 'save', 'loadRaw', 'saveRaw'] as const) {
    const original = provider[method];
    if (typeof original !== 'function') continue;
    provider[method] = async (...args: unknown[]) => {
      if (closed) return null;
      try {
        return await original.apply(provider, args);
      } catch (err) {
        if (closed) return null;
        throw err;
      }
    };
  }
  provider.skillforgeClose = async () => {
    closed = true;
    await provider.close?.();
  };
}

/**
 * prismarine-world's saveNow() writes the queued chunks, awaits, then clears the whole queue: a block
 * changed while a save was in flight is queued and then dropped unsaved, so a chest placed during a
 * periodic save vanished after a restart (seen 1 in 3 restarts under load). Here a save takes the
 * chunks it writes off the queue first, so whatever is queued meanwhile waits for the next save.
 */
export function keepChangesDuringSaves(world: Record<string, any> | undefined): void {
  if (!world?.storageProvider || world.skillforgeSaveNow) return;
  world.skillforgeSaveNow = true;
  world.saveNow = async function saveNow(this: Record<string, any>): Promise<void> {
    const batch = [...(this.savingQueue as Map<string, { chunkX: number; chunkZ: number }>).entries()];
    if (batch.length === 0) return;
    for (const [key] of batch) this.savingQueue.delete(key);
    const writes = batch.map(([key, { chunkX, chunkZ }]) => this.storageProvider.save(chunkX, chunkZ, this.columns[key]));
    this.finishedSaving = Promise.all([this.finishedSaving, ...writes]);
    await this.finishedSaving;
    // Columns whose unload waited for this save can go now, unless a newer change is queued.
    for (const [key, { chunkX, chunkZ }] of [...this.unloadQueue.entries()]) {
      if (!this.savingQueue.has(key)) this.forceUnloadColumn(key, chunkX, chunkZ);
    }
    this.emit('doneSaving');
  };
}

function logger(logging: EmbeddedWorldOptions['logging']): (line: string) => void {
  if (typeof logging === 'function') return (line) => logging(stripAnsi(line));
  if (logging) return (line) => process.stderr.write(`[world] ${stripAnsi(line)}\n`);
  return () => {};
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

/** The `hostileMobs` setting as the plugin reads it; an unknown kind is an E_INVALID error here, before any port opens. */
function hostileSettings(option: EmbeddedWorldOptions['hostileMobs']): false | Record<string, unknown> {
  if (!option) return false;
  if (option === true) return {};
  const raw = Array.isArray(option) ? { kinds: option } : (option as { kinds?: readonly HostileMob[] });
  try {
    return { ...raw, ...(raw.kinds ? { kinds: parseHostileKinds(raw.kinds) } : {}) };
  } catch (err) {
    throw new SkillforgeError('E_INVALID', `hostileMobs: ${errorMessage(err)}`, { hint: `name some of ${HOSTILE_MOBS.join(', ')}` });
  }
}

/**
 * The CLI's `--hostile-mobs [kinds]` as a startEmbeddedWorld option: absent → off, bare → all kinds,
 * `skeleton,creeper` → those. An unknown name is an E_USAGE error naming the known ones.
 *
 * @example hostileMobsFlag('zombie,skeleton') // ['zombie', 'skeleton']
 */
export function hostileMobsFlag(flag: boolean | string | undefined): EmbeddedWorldOptions['hostileMobs'] {
  if (flag === undefined || flag === false) return false;
  if (flag === true) return true;
  try {
    return parseHostileKinds(flag.split(','));
  } catch (err) {
    throw new SkillforgeError('E_USAGE', `--hostile-mobs: ${errorMessage(err)}`, { hint: `e.g. --hostile-mobs ${HOSTILE_MOBS.slice(0, 2).join(',')}, or --hostile-mobs alone for all of ${HOSTILE_MOBS.join(', ')}` });
  }
}
