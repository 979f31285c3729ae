/**
 * Fresh Minecraft episodes in one running world, without cheats: every episode is a new bot (a new
 * player name, so an empty inventory at the world's spawn), and closing the episode's environment
 * only disconnects that bot. Starting a world per episode would cost seconds and a new seed each
 * time; clearing a bot's inventory needs operator commands, which an agent must not have.
 *
 * What carries over between episodes is the world itself (felled trees, placed crafting tables), as it
 * would for a player who logs in again: plans read the observed state, so they stay right.
 *
 * An environment that was only observed (never acted in) is kept and handed out again for the same
 * key: verification probes an episode's start before running a skill in it, and that is one bot.
 *
 * @example
 *   const episodes = new MinecraftEpisodes({ host, port, version }, { primitives: minecraftEvolvePrimitives(goals) });
 *   const env = await episodes.open('train:0');   // a new bot, empty inventory
 *   await env.execute({ skill: 'mineBlock', args: { name: 'oak_log', count: 1 } });
 *   await env.close();                            // the bot leaves; the world stays
 *   await episodes.close();
 */
import type { Outcome, SkillCall } from '../../core/types.js';
import type { ExecuteOptions, Primitive } from '../environment.js';
import { MinecraftConnection } from './connection.js';
import { MinecraftEnvironment } from './environment.js';

export interface WorldAddress {
  host: string;
  port: number;
  version: string;
}

export interface MinecraftEpisodesOptions {
  /** Player names are `<prefix><n>` (at most 16 characters; default 'ep'). */
  prefix?: string;
  /** What `primitives()` of the episodes reports (e.g. with value domains); default the real ones. */
  primitives?: readonly Primitive[];
  /** Time limit of one primitive call when the caller gives none (default 90 s). */
  defaultTimeoutMs?: number;
  /** Called with every new episode before it is handed out (tests may set the world up here). */
  prepare?: (env: MinecraftEnvironment, key: string) => Promise<void>;
  /** Called when an episode opens a new bot (progress output). */
  onOpen?: (info: { key: string; username: string; ms: number }) => void;
  /** Called after every primitive call an episode executes (progress output). */
  onExecute?: (info: { key: string; call: SkillCall; outcome: Outcome }) => void;
}

/** One episode: a MinecraftEnvironment of its own bot, reporting the episodes' primitives. */
export class EpisodeEnvironment extends MinecraftEnvironment {
  /** Whether anything acted in this episode (execute or a sandboxed skill). */
  acted = false;
  constructor(
    connection: MinecraftConnection,
    readonly key: string,
    private readonly owner: MinecraftEpisodes,
    private readonly declared: readonly Primitive[] | undefined,
    defaultTimeoutMs: number,
    private readonly onExecute?: MinecraftEpisodesOptions['onExecute'],
  ) {
    super(connection, { id: `minecraft-episode:${key}`, defaultTimeoutMs });
  }

  override primitives(): Primitive[] {
    return this.declared ? this.declared.map((p) => ({ ...p })) : super.primitives();
  }

  override async execute(call: SkillCall, options: ExecuteOptions = {}): Promise<Outcome> {
    this.acted = true;
    const outcome = await super.execute(call, options);
    this.onExecute?.({ key: this.key, call, outcome });
    return outcome;
  }

  override sandboxEndowments(signal?: AbortSignal, options: { maxTimeoutMs?: number } = {}): Record<string, unknown> {
    this.acted = true;
    return super.sandboxEndowments(signal, options);
  }

  /** End the episode: the bot leaves (or, if nothing acted, waits to be handed out again for its key). */
  override async close(): Promise<void> {
    await this.owner.release(this);
  }

  /** Disconnect for real. */
  async disconnect(): Promise<void> {
    await super.close();
  }
}

export class MinecraftEpisodes {
  private n = 0;
  private idle: EpisodeEnvironment | null = null;
  private readonly open_ = new Set<EpisodeEnvironment>();
  private closed = false;
  /** Bots joined so far. */
  get joined(): number {
    return this.n;
  }

  constructor(
    readonly world: WorldAddress,
    private readonly options: MinecraftEpisodesOptions = {},
  ) {}

  /** A fresh episode for `key` (the same untouched one if the last episode of this key never acted). */
  async open(key = `episode:${this.n}`): Promise<EpisodeEnvironment> {
    if (this.closed) throw new Error('MinecraftEpisodes is closed');
    if (this.idle) {
      const idle = this.idle;
      this.idle = null;
      if (idle.key === key && !idle.acted && idle.connection.connected) {
        this.open_.add(idle);
        return idle;
      }
      await idle.disconnect().catch(() => {});
    }
    const started = Date.now();
    const username = `${(this.options.prefix ?? 'ep').slice(0, 10)}${this.n++}`.slice(0, 16);
    const connection = await MinecraftConnection.open({ host: this.world.host, port: this.world.port, version: this.world.version, auth: 'offline', username, reconnect: false });
    const env = new EpisodeEnvironment(connection, key, this, this.options.primitives, this.options.defaultTimeoutMs ?? 90_000, this.options.onExecute);
    try {
      await this.options.prepare?.(env, key);
    } catch (err) {
      await env.disconnect().catch(() => {});
      throw err;
    }
    this.options.onOpen?.({ key, username, ms: Date.now() - started });
    this.open_.add(env);
    return env;
  }

  /** @internal called by EpisodeEnvironment.close */
  async release(env: EpisodeEnvironment): Promise<void> {
    if (!this.open_.delete(env)) return;
    if (!env.acted && !this.closed && !this.idle) {
      this.idle = env;
      return;
    }
    await env.disconnect();
  }

  /** Disconnect every bot still here (the world keeps running: its owner stops it). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.open_, ...(this.idle ? [this.idle] : [])];
    this.open_.clear();
    this.idle = null;
    await Promise.all(all.map((e) => e.disconnect().catch(() => {})));
  }
}
