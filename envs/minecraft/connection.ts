/**
 * A mineflayer bot joined to a Minecraft server (the embedded flying-squid world or a user's vanilla/Paper
 * server), with the plugins the control primitives need, a bounded wait for spawn, and automatic
 * reconnection with backoff when the server kicks the bot, closes, or errors.
 *
 * @example
 * const conn = await MinecraftConnection.open({ host: '127.0.0.1', port: 25565, username: 'alex' });
 * conn.on('connected', (bot) => console.log('bot is', bot.username));
 * await mineBlock(conn.bot, 'oak_log', 3);
 * await conn.close();
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Bot } from 'mineflayer';
import './plugin-types.js';
import { SkillforgeError, errorMessage } from '../../core/errors.js';
import { AbortedError, sleep } from '../../core/timeout.js';

const require = createRequire(import.meta.url);

/** The version the embedded world speaks and the primitives are tested on (1.13+ item names). */
export const DEFAULT_MC_VERSION = '1.16.5';

export interface ReconnectPolicy {
  /** Give up after this many failed attempts in a row (default 10). */
  maxAttempts?: number;
  /** First delay; doubles each failed attempt (default 250 ms). */
  initialDelayMs?: number;
  /** Upper bound of the delay (default 10 s). */
  maxDelayMs?: number;
}

export interface MinecraftConnectionOptions {
  host?: string;
  port?: number;
  /** Minecraft version, e.g. '1.16.5'. `false` lets mineflayer detect it from the server. Default '1.16.5'. */
  version?: string | false;
  auth?: 'offline' | 'microsoft';
  username?: string;
  /** Time allowed from TCP connect to the spawn packet (default 30 s). */
  spawnTimeoutMs?: number;
  /** Reconnect when the bot is kicked or the server goes away (default on); `false` turns it off. */
  reconnect?: ReconnectPolicy | false;
  /** Microsoft device-code prompt (auth 'microsoft' only). */
  onMsaCode?: (data: { user_code: string; verification_uri: string; message: string }) => void;
}

/** Turn a kick reason (plain string or JSON chat component) into plain text. */
export function kickReasonText(reason: unknown): string {
  if (typeof reason !== 'string') return flattenChat(reason);
  try {
    return flattenChat(JSON.parse(reason));
  } catch {
    return reason;
  }
}

function flattenChat(c: unknown): string {
  if (c == null) return '';
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map(flattenChat).join('');
  if (typeof c === 'object') {
    const o = c as { text?: unknown; translate?: unknown; extra?: unknown[]; with?: unknown[] };
    let s = typeof o.text === 'string' ? o.text : typeof o.translate === 'string' ? o.translate : '';
    if (Array.isArray(o.with) && o.with.length) s += ` ${o.with.map(flattenChat).join(' ')}`;
    if (Array.isArray(o.extra)) s += o.extra.map(flattenChat).join('');
    return s;
  }
  return String(c);
}

function loadPlugins(bot: Bot): void {
  const { pathfinder } = require('mineflayer-pathfinder');
  const tool = require('mineflayer-tool').plugin;
  const collectBlock = require('mineflayer-collectblock').plugin;
  const pvp = require('mineflayer-pvp').plugin;
  // Order matters: collectblock and pvp reuse pathfinder/tool when they are already loaded.
  bot.loadPlugin(pathfinder);
  bot.loadPlugin(tool);
  bot.loadPlugin(collectBlock);
  bot.loadPlugin(quietPvp(pvp));
}

/**
 * mineflayer-pvp 1.3.2 listens to the deprecated 'physicTick' event, so mineflayer prints a warning for
 * every bot. Load it with exactly that warning muted (everything else still reaches the console).
 */
function quietPvp(pvp: (bot: Bot, options: unknown) => void): (bot: Bot, options: unknown) => void {
  return function pvpPlugin(bot, options) {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('deprecated event (physicTick)')) return;
      warn(...args);
    };
    try {
      pvp(bot, options);
    } finally {
      console.warn = warn;
    }
  };
}

/** Movements tuned for survival: may dig, never breaks chests/tables/furnaces it might need. */
function configureMovements(bot: Bot): void {
  const { Movements } = require('mineflayer-pathfinder');
  const movements = new Movements(bot);
  movements.allowParkour = false;
  // Pillaring up (jump + place below) fails on flying-squid (place_error, 5 s each): dig stairs instead.
  movements.allow1by1towers = false;
  movements.allowSprinting = true;
  for (const name of ['crafting_table', 'furnace', 'chest', 'lit_furnace']) {
    const b = bot.registry.blocksByName[name];
    if (b) movements.blocksCantBreak.add(b.id);
  }
  bot.pathfinder.setMovements(movements);
  // Off: with it on (the default, for anti-cheat servers that want the placed-against face in sight)
  // the pathfinder walks back to a `returnPos` after each scaffold block and, until it gets within
  // 0.2 blocks of it, returns early from every tick before its own stuck check; resetPath, stop()
  // and setGoal never clear it. A replan that moved the bot (the placed block's own update resets
  // the path) leaves that spot unreachable, and every later goal of the bot then hangs for good
  // (the seed-1 chain's mineBlock(iron_ore) stall). flying-squid checks no line of sight.
  (bot.pathfinder as unknown as { LOSWhenPlacingBlocks: boolean }).LOSWhenPlacingBlocks = false;
  // mineflayer fixes the dig time when digging starts, and a bot in the air digs 5x slower (vanilla
  // rule). collectblock often starts digging while the bot is still falling from the block it just
  // mined, so wait (up to 1 s) to land first: measured 3.75 s -> 0.75 s for dirt.
  const dig = bot.dig.bind(bot) as (...args: unknown[]) => Promise<void>;
  (bot as unknown as { dig: (...args: unknown[]) => Promise<void> }).dig = async (...args: unknown[]) => {
    for (let i = 0; i < 20 && !bot.entity.onGround && !(bot.entity as { isInWater?: boolean }).isInWater; i++) await bot.waitForTicks(1);
    return dig(...args);
  };
  // collectblock carries its own movements; share ours so both honour the same rules.
  (bot.collectBlock as unknown as { movements?: unknown }).movements = movements;
}

/**
 * Connect one bot and wait until it has spawned. Rejects with a SkillforgeError that says what to do:
 * E_MC_CONNECT (server unreachable), E_MC_KICKED (refused or kicked before spawning), E_MC_SPAWN_TIMEOUT.
 */
export function connectBot(options: MinecraftConnectionOptions = {}, signal?: AbortSignal): Promise<Bot> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 25565;
  const where = `${host}:${port}`;
  const spawnTimeoutMs = options.spawnTimeoutMs ?? 30_000;
  if (signal?.aborted) return Promise.reject(new AbortedError(`connecting to ${where}`, signal.reason));
  const mineflayer = require('mineflayer');
  return new Promise<Bot>((resolve, reject) => {
    let bot: Bot;
    try {
      bot = mineflayer.createBot({
        host,
        port,
        username: options.username ?? 'skillforge',
        auth: options.auth ?? 'offline',
        version: options.version === undefined ? DEFAULT_MC_VERSION : options.version,
        hideErrors: true,
        logErrors: false,
        checkTimeoutInterval: 20_000,
        onMsaCode: options.onMsaCode,
      });
    } catch (err) {
      reject(new SkillforgeError('E_MC_CONNECT', `could not start a bot for ${where}: ${errorMessage(err)}`, { cause: err }));
      return;
    }
    loadPlugins(bot);
    let settled = false;
    const timer = setTimeout(() => {
      fail(
        new SkillforgeError('E_MC_SPAWN_TIMEOUT', `connected to ${where} but the bot did not spawn within ${spawnTimeoutMs} ms`, {
          hint: 'check the server version (embedded world: 1.16.5) and that it accepts offline players; raise spawnTimeoutMs on slow servers',
        }),
      );
    }, spawnTimeoutMs);
    timer.unref?.();
    const onAbort = () => fail(new AbortedError(`connecting to ${where}`, signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });

    const onError = (err: Error & { code?: string }) => {
      const code = err.code ?? '';
      if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'ECONNRESET' || code === 'ETIMEDOUT') {
        fail(
          new SkillforgeError(
            'E_MC_CONNECT',
            `could not connect to ${where}: ${code} — is the server running? start one with \`skillforge world\``,
            { hint: 'start the embedded world with `skillforge world`, or pass --host/--port of a running server', cause: err },
          ),
        );
      } else {
        fail(new SkillforgeError('E_MC_CONNECT', `could not connect to ${where}: ${errorMessage(err)}`, { cause: err }));
      }
    };
    const onKicked = (reason: unknown) => {
      fail(
        new SkillforgeError('E_MC_KICKED', `${where} refused the bot before it spawned: ${kickReasonText(reason)}`, {
          hint: 'check version, username and auth (offline servers need online-mode=false)',
        }),
      );
    };
    const onEnd = (reason: unknown) => {
      fail(
        new SkillforgeError('E_MC_CONNECT', `connection to ${where} closed before the bot spawned${reason ? `: ${String(reason)}` : ''}`, {
          hint: 'is the server running and speaking the same Minecraft version?',
        }),
      );
    };
    const onSpawn = () => {
      if (settled) return;
      settled = true;
      cleanup();
      try {
        configureMovements(bot);
      } catch (err) {
        bot.end();
        reject(new SkillforgeError('E_MC_CONNECT', `bot spawned on ${where} but its plugins failed to start: ${errorMessage(err)}`, { cause: err }));
        return;
      }
      // Swallow later socket errors here: MinecraftConnection watches 'end' and reconnects.
      bot.on('error', () => {});
      resolve(bot);
    };
    function cleanup() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      bot.removeListener('error', onError);
      bot.removeListener('kicked', onKicked);
      bot.removeListener('end', onEnd);
      bot.removeListener('spawn', onSpawn);
    }
    function fail(err: Error) {
      if (settled) return;
      settled = true;
      cleanup();
      bot.on('error', () => {});
      try {
        bot.end();
      } catch {
        /* already closed */
      }
      reject(err);
    }
    bot.once('error', onError);
    bot.once('kicked', onKicked);
    bot.once('end', onEnd);
    bot.once('spawn', onSpawn);
  });
}

export interface DisconnectInfo {
  reason: string;
  kicked: boolean;
}

/**
 * A bot that stays connected. Events:
 * - `connected` (bot: Bot): first connect and every successful reconnect (the Bot object is new each time)
 * - `disconnected` ({reason, kicked}): the bot left the server (kick, server stop, socket error)
 * - `reconnecting` ({attempt, delayMs, error?}): a reconnect attempt is scheduled
 * - `gaveUp` (error): reconnecting failed `maxAttempts` times in a row
 */
export class MinecraftConnection extends EventEmitter {
  readonly options: MinecraftConnectionOptions;
  private current: Bot | null = null;
  private closed = false;
  private reconnecting: Promise<void> | null = null;
  private lastError: Error | null = null;
  private readonly closeController = new AbortController();

  private constructor(options: MinecraftConnectionOptions) {
    super();
    this.options = options;
  }

  /** Connect and wait for spawn; rejects with the connect error (no retry on the first attempt). */
  static async open(options: MinecraftConnectionOptions = {}, signal?: AbortSignal): Promise<MinecraftConnection> {
    const conn = new MinecraftConnection(options);
    const bot = await connectBot(options, signal);
    conn.attach(bot);
    return conn;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }
  get port(): number {
    return this.options.port ?? 25565;
  }

  /** Whether a spawned bot is connected right now. */
  get connected(): boolean {
    return this.current !== null;
  }

  /** The connected bot; throws E_MC_DISCONNECTED while reconnecting (use `ready()` to wait). */
  get bot(): Bot {
    if (!this.current) {
      throw new SkillforgeError('E_MC_DISCONNECTED', `the bot is not connected to ${this.host}:${this.port}${this.lastError ? `: ${this.lastError.message}` : ''}`, {
        hint: this.closed ? 'the connection was closed' : 'it is reconnecting; wait with connection.ready()',
      });
    }
    return this.current;
  }

  /** Resolve with a connected bot, waiting for a reconnect if one is under way. */
  ready(timeoutMs = 30_000, signal?: AbortSignal): Promise<Bot> {
    if (this.current) return Promise.resolve(this.current);
    if (this.closed) return Promise.reject(new SkillforgeError('E_MC_CLOSED', 'the Minecraft connection is closed'));
    if (!this.reconnecting) this.scheduleReconnect();
    return new Promise<Bot>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          done(
            () =>
              reject(
                new SkillforgeError('E_MC_DISCONNECTED', `no connection to ${this.host}:${this.port} within ${timeoutMs} ms${this.lastError ? `: ${this.lastError.message}` : ''}`, {
                  hint: 'is the server running? start one with `skillforge world`',
                }),
              ),
          ),
        timeoutMs,
      );
      timer.unref?.();
      const onConnected = (bot: Bot) => done(() => resolve(bot));
      const onGaveUp = (err: Error) => done(() => reject(err));
      const onAbort = () => done(() => reject(new AbortedError('waiting for the Minecraft connection', signal?.reason)));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.on('connected', onConnected);
      this.on('gaveUp', onGaveUp);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.off('connected', onConnected);
        this.off('gaveUp', onGaveUp);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
    });
  }

  private attach(bot: Bot): void {
    this.current = bot;
    this.lastError = null;
    let kickReason: string | null = null;
    bot.once('kicked', (reason: unknown) => {
      kickReason = kickReasonText(reason);
    });
    bot.once('end', (reason: unknown) => {
      if (this.current !== bot) return;
      this.current = null;
      const info: DisconnectInfo = {
        reason: kickReason ?? (typeof reason === 'string' && reason ? reason : 'connection closed'),
        kicked: kickReason !== null,
      };
      this.lastError = new SkillforgeError('E_MC_DISCONNECTED', info.kicked ? `kicked: ${info.reason}` : `disconnected: ${info.reason}`);
      this.emit('disconnected', info);
      if (!this.closed && this.options.reconnect !== false) this.scheduleReconnect();
    });
    this.emit('connected', bot);
  }

  private scheduleReconnect(): void {
    if (this.reconnecting || this.closed) return;
    const policy = this.options.reconnect === false ? {} : (this.options.reconnect ?? {});
    const maxAttempts = policy.maxAttempts ?? 10;
    const initial = policy.initialDelayMs ?? 250;
    const maxDelay = policy.maxDelayMs ?? 10_000;
    this.reconnecting = (async () => {
      for (let attempt = 1; attempt <= maxAttempts && !this.closed; attempt++) {
        const delayMs = Math.min(maxDelay, initial * 2 ** (attempt - 1));
        this.emit('reconnecting', { attempt, delayMs, error: this.lastError?.message });
        try {
          await sleep(delayMs, this.closeController.signal);
          const bot = await connectBot(this.options, this.closeController.signal);
          if (this.closed) {
            bot.end();
            return;
          }
          this.reconnecting = null;
          this.attach(bot);
          return;
        } catch (err) {
          if (this.closed) return;
          this.lastError = err instanceof Error ? err : new Error(errorMessage(err));
        }
      }
      this.reconnecting = null;
      if (!this.closed) {
        const err = new SkillforgeError('E_MC_DISCONNECTED', `gave up reconnecting to ${this.host}:${this.port} after ${maxAttempts} attempts: ${this.lastError?.message ?? 'unknown error'}`, {
          hint: 'is the server running? start one with `skillforge world`',
        });
        this.lastError = err;
        this.emit('gaveUp', err);
      }
    })();
  }

  /** Leave the server and stop reconnecting. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closeController.abort(new Error('connection closed'));
    const bot = this.current;
    this.current = null;
    if (bot) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        t.unref?.();
        bot.once('end', () => {
          clearTimeout(t);
          resolve();
        });
        try {
          bot.quit('closing');
        } catch {
          clearTimeout(t);
          resolve();
        }
      });
    }
  }
}
