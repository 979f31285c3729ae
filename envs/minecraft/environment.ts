/**
 * Minecraft behind the Environment contract: a mineflayer bot (embedded flying-squid world or an
 * external server) whose built-in skills are Voyager's control primitives. Each primitive is one
 * descriptor (primitives/descriptor.ts); the list, execute()'s dispatch, the sandbox endowments and
 * API, and the preconditions all derive from the descriptor list (primitives/descriptors.ts).
 *
 * @example
 * const env = await createMinecraftEnvironment({ embedded: { seed: 42 } });
 * const out = await env.execute({ skill: 'mineBlock', args: { name: 'oak_log', count: 3 } }, { timeoutMs: 60_000 });
 * console.log(out.success, out.events.map((e) => e.text));
 * console.log((await env.observe()).text);
 * await env.close();
 */
import { createRequire } from 'node:module';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { SkillforgeError, errorMessage } from '../../core/errors.js';
import { withTimeout } from '../../core/timeout.js';
import type { EnvEvent, JsonValue, Observation, Outcome, SkillCall } from '../../core/types.js';
import { validator } from '../../core/validate.js';
import { SANDBOX_API, type CheckResult, type Environment, type ExecuteOptions, type Primitive, type SandboxApi, type Task } from '../environment.js';
import { minecraftSandboxApi } from './sandbox-api.js';
import { MinecraftConnection, type MinecraftConnectionOptions } from './connection.js';
import { EventRecorder, inventoryCounts } from './events.js';
import { ChestMemory, observeBot } from './observation.js';
import { getPrimitiveContext, setPrimitiveContext, setPrimitiveSemantics, stopActivity, type PrimitiveSemantics } from './primitives/context.js';
import type { PrimitiveDescriptor } from './primitives/descriptor.js';
import { MINECRAFT_PRIMITIVE_DESCRIPTORS, checkDescriptors } from './primitives/descriptors.js';
import type { RecipeRegistry } from './recipes.js';
import type { EmbeddedWorldOptions } from './server/world.js';

const require = createRequire(import.meta.url);

/** A primitive as planners and tool lists see it: name, description, argument schema. */
function listed(d: PrimitiveDescriptor): Primitive {
  return { name: d.name, description: d.description, params: d.params };
}

/** The built-in skills, with JSON-schema arguments (named like Voyager's parameters), from their descriptors. */
export const MINECRAFT_PRIMITIVES: readonly Primitive[] = Object.freeze(MINECRAFT_PRIMITIVE_DESCRIPTORS.map(listed));

export interface MinecraftEnvironmentOptions extends MinecraftConnectionOptions {
  /** Start the embedded flying-squid world in this process (ignores host/port). */
  embedded?: { seed?: number; port?: number; op?: boolean; viewDistance?: number; hostileMobs?: EmbeddedWorldOptions['hostileMobs'] };
  /** Environment id (default `minecraft:<username>@<host>:<port>`). */
  id?: string;
  /** Time limit of execute() when the caller gives none (default 120 s). */
  defaultTimeoutMs?: number;
  /**
   * How primitives called from skill code treat a missing precondition: `voyager` (default) says it
   * in chat and returns, as Voyager's primitives do; `strict` rejects with an error naming it (see
   * PrimitiveSemantics). execute() always reports a missing precondition as a failed Outcome.
   */
  primitiveSemantics?: PrimitiveSemantics;
  /**
   * The primitives this environment offers (default: the built-in list). Pass
   * `[...MINECRAFT_PRIMITIVE_DESCRIPTORS, myDescriptor]` to add one: it is listed, executed, endowed,
   * reachable from sandboxed skill code and checked for preconditions like the built-in ones.
   */
  primitives?: readonly PrimitiveDescriptor[];
}

interface EmbeddedHandle {
  host: string;
  port: number;
  version: string;
  stop(): Promise<void>;
}

function describe(err: unknown): string {
  const msg = errorMessage(err);
  const hint = err instanceof SkillforgeError ? err.hint : undefined;
  return hint ? `${msg} (hint: ${hint})` : msg;
}

export class MinecraftEnvironment implements Environment {
  readonly kind = 'minecraft';
  readonly id: string;
  readonly connection: MinecraftConnection;
  /** Every event of the bot (kept across reconnects). */
  readonly recorder = new EventRecorder();
  readonly chests = new ChestMemory();
  private readonly world: EmbeddedHandle | null;
  private readonly defaultTimeoutMs: number;
  /** See MinecraftEnvironmentOptions.primitiveSemantics. */
  readonly primitiveSemantics: PrimitiveSemantics;
  private registryCache: RecipeRegistry | null = null;
  private closed = false;
  /** See MinecraftEnvironmentOptions.primitives. */
  readonly descriptors: readonly PrimitiveDescriptor[];

  constructor(connection: MinecraftConnection, options: { id?: string; world?: EmbeddedHandle | null; defaultTimeoutMs?: number; primitiveSemantics?: PrimitiveSemantics; primitives?: readonly PrimitiveDescriptor[] } = {}) {
    this.connection = connection;
    this.descriptors = options.primitives ? checkDescriptors([...options.primitives]) : MINECRAFT_PRIMITIVE_DESCRIPTORS;
    this.primitiveSemantics = options.primitiveSemantics ?? 'voyager';
    this.world = options.world ?? null;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 120_000;
    this.id = options.id ?? `minecraft:${connection.options.username ?? 'skillforge'}@${connection.host}:${connection.port}`;
    if (connection.connected) this.attach(connection.bot);
    connection.on('connected', (bot: Bot) => {
      this.attach(bot);
      this.recorder.push('reconnected', `reconnected to ${connection.host}:${connection.port}`);
    });
    connection.on('reconnecting', (info: { attempt: number; delayMs: number; error?: string }) => {
      this.recorder.push('reconnecting', `reconnecting (attempt ${info.attempt}, in ${info.delayMs} ms)${info.error ? `: ${info.error}` : ''}`);
    });
    connection.on('gaveUp', (err: Error) => this.recorder.push('error', err.message));
    connection.on('disconnected', (info: { reason?: string }) => {
      this.lastDrop = { at: Date.now(), reason: `the connection to ${connection.host}:${connection.port} dropped${info?.reason ? ` (${info.reason})` : ''}` };
    });
  }

  /** The last time the bot lost the server (a restart, a kick): attempts across it are interrupted, not failed. */
  private lastDrop: { at: number; reason: string } | null = null;

  interruptedSince(since: number): string | null {
    if (!this.connection.connected) return `the bot is not connected to ${this.connection.host}:${this.connection.port}`;
    return this.lastDrop && this.lastDrop.at >= since ? this.lastDrop.reason : null;
  }

  private attach(bot: Bot): void {
    setPrimitiveSemantics(bot, this.primitiveSemantics);
    this.recorder.attach(bot);
    this.chests.attach(bot);
  }

  /** The connected bot (throws E_MC_DISCONNECTED while reconnecting). */
  get bot(): Bot {
    return this.connection.bot;
  }

  /** minecraft-data of the server's version (the `mcData` of Voyager skills). */
  get mcData(): any {
    return this.connection.connected ? this.connection.bot.registry : require('minecraft-data')(this.connection.options.version || '1.16.5');
  }

  async observe(): Promise<Observation> {
    const bot = await this.connection.ready(30_000);
    return observeBot(bot, { chests: this.chests });
  }

  primitives(): Primitive[] {
    return this.descriptors.map(listed);
  }

  async execute(call: SkillCall, options: ExecuteOptions = {}): Promise<Outcome> {
    const started = Date.now();
    const mark = this.recorder.mark();
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const finish = (success: boolean, error?: string, result?: JsonValue): Outcome => {
      if (error) this.recorder.push('error', `${call.skill} failed: ${error}`);
      const out: Outcome = { success, events: this.recorder.since(mark), durationMs: Date.now() - started };
      if (error) out.error = error;
      if (result !== undefined) out.result = result;
      return out;
    };
    const prim = this.descriptors.find((p) => p.name === call.skill);
    if (!prim) return finish(false, `unknown primitive ${call.skill}; known: ${this.descriptors.map((p) => p.name).join(', ')}`);
    let args: Record<string, any>;
    try {
      args = validator<Record<string, any>>(prim.params, `arguments of ${call.skill}`)(structuredClone(call.args ?? {}));
    } catch (err) {
      return finish(false, describe(err));
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) return finish(false, `${call.skill} was aborted before it started`);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let bot: Bot | null = null;
    try {
      const work = (async () => {
        bot = await this.connection.ready(Math.min(timeoutMs, 30_000), controller.signal);
        // One call, one outcome: a missing precondition is a failed call whatever the skill semantics.
        setPrimitiveContext(bot, { signal: controller.signal, maxTimeoutMs: timeoutMs, semantics: 'strict' });
        return prim.run(bot, args);
      })();
      const result = await withTimeout(work, timeoutMs, call.skill, { signal: controller.signal });
      await sleepTicks(bot);
      return finish(true, undefined, result);
    } catch (err) {
      controller.abort(err);
      await sleepTicks(bot);
      return finish(false, describe(err));
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      if (bot) setPrimitiveContext(bot, null);
    }
  }

  /**
   * The globals Voyager skill code uses: `bot`, `mcData`, `Vec3`, the control primitives, helper
   * movement/equipment functions and mineflayer-pathfinder's goal classes. Call it per run: after a
   * reconnect `bot` is a new object. With `signal` (the run's), primitives called by the skill stop
   * when it fires, and their time limits are capped at `options.maxTimeoutMs`; the binding ends with
   * the signal.
   *
   * @example
   * runtime.run({ code, main: 'return await mySkill(bot)', endowments: (signal) => env.sandboxEndowments(signal), timeoutMs });
   */
  sandboxEndowments(signal?: AbortSignal, options: { maxTimeoutMs?: number } = {}): Record<string, unknown> {
    const bot = this.connection.bot;
    if (signal) {
      // The cap reaches primitives through the bot's context; the signal is also passed explicitly
      // below, so calls made after the run ended are refused rather than run unbound.
      const unbind = this.bindSignal(signal, options.maxTimeoutMs);
      const end = () => {
        unbind();
        stopActivity(bot); // pathfinding or digging the skill started directly on the bot
      };
      if (signal.aborted) end();
      else signal.addEventListener('abort', end, { once: true });
    }
    const o = signal ? { signal } : undefined;
    const pf = require('mineflayer-pathfinder');
    const goals = pf.goals as Record<string, unknown>;
    const endowments: Record<string, unknown> = {
      bot,
      mcData: bot.registry,
      Vec3,
      ...Object.fromEntries(this.descriptors.map((d) => [d.name, d.endowment(o)])),
      Movements: pf.Movements,
      goals,
      GoalNear: goals.GoalNear,
      GoalBlock: goals.GoalBlock,
      GoalXZ: goals.GoalXZ,
      GoalNearXZ: goals.GoalNearXZ,
      GoalY: goals.GoalY,
      GoalGetToBlock: goals.GoalGetToBlock,
      GoalFollow: goals.GoalFollow,
      GoalLookAtBlock: goals.GoalLookAtBlock,
      GoalPlaceBlock: goals.GoalPlaceBlock,
      GoalBreakBlock: goals.GoalBreakBlock,
      GoalCompositeAny: goals.GoalCompositeAny,
      GoalCompositeAll: goals.GoalCompositeAll,
      GoalInvert: goals.GoalInvert,
    };
    // The skill runtime takes the narrow, data-only API from here; host-side callers use the rest.
    if (signal) {
      let api: SandboxApi | undefined;
      Object.defineProperty(endowments, SANDBOX_API, { get: () => (api ??= minecraftSandboxApi(bot, signal, this.sandboxOptions(o))), enumerable: false });
    }
    return endowments;
  }

  /** The data-only API skill code runs against in its isolate (envs/minecraft/sandbox-api.ts). */
  sandboxApi(signal: AbortSignal, options: { maxTimeoutMs?: number } = {}): SandboxApi {
    const unbind = this.bindSignal(signal, options.maxTimeoutMs);
    signal.addEventListener('abort', unbind, { once: true });
    return minecraftSandboxApi(this.connection.bot, signal, this.sandboxOptions({ signal }));
  }

  private sandboxOptions(primitive: { signal: AbortSignal } | undefined) {
    return { primitive, recentEvents: (since: number) => this.recentEvents(since), primitives: this.descriptors };
  }

  /**
   * Make primitives called on the current bot (e.g. by sandboxed skill code) honour `signal` and cap
   * their time limits at `maxTimeoutMs`. Returns a function that removes the binding.
   */
  bindSignal(signal: AbortSignal, maxTimeoutMs?: number): () => void {
    const bot = this.connection.bot;
    const ctx = { signal, maxTimeoutMs };
    setPrimitiveContext(bot, ctx);
    return () => {
      if (getPrimitiveContext(bot) === ctx) setPrimitiveContext(bot, null);
    };
  }

  /**
   * Goals the environment checks itself: {inventory: {name: n}} (at least n of each), {nearby: {block: n}}
   * (at least n such blocks within 32), {position: {x, y, z, range?}}. Other goals -> success null.
   */
  async check(task: Task): Promise<CheckResult> {
    const goal = task.goal;
    if (!goal || Object.keys(goal).length === 0) return { success: null, reason: 'no programmatic goal; a critic must judge' };
    const bot = await this.connection.ready(30_000);
    const unknown = Object.keys(goal).filter((k) => !['inventory', 'inventoryAny', 'nearby', 'position'].includes(k));
    const fails: string[] = [];
    const oks: string[] = [];
    if (goal.inventory && typeof goal.inventory === 'object') {
      const inv = inventoryCounts(bot);
      for (const [n, want] of Object.entries(goal.inventory as Record<string, number>)) {
        const have = inv[n] ?? 0;
        (have >= Number(want) ? oks : fails).push(`have ${have}/${want} ${n}`);
      }
    }
    // Any member of a family counts (a log of any wood): {inventoryAny: {items: [...], count}}.
    if (goal.inventoryAny && typeof goal.inventoryAny === 'object') {
      const any = goal.inventoryAny as { items?: unknown; count?: unknown };
      const items = Array.isArray(any.items) ? any.items.map(String) : [];
      const want = Number(any.count ?? 1);
      const inv = inventoryCounts(bot);
      const have = items.reduce((sum, n) => sum + (inv[n] ?? 0), 0);
      (have >= want ? oks : fails).push(`have ${have}/${want} of ${items.join('|')}`);
    }
    if (goal.nearby && typeof goal.nearby === 'object') {
      for (const [n, want] of Object.entries(goal.nearby as Record<string, number>)) {
        const id = bot.registry.blocksByName[n]?.id;
        const have = id === undefined ? 0 : bot.findBlocks({ matching: id, maxDistance: 32, count: Math.max(1, Number(want)) }).length;
        (have >= Number(want) ? oks : fails).push(`${have}/${want} ${n} within 32 blocks`);
      }
    }
    if (goal.position && typeof goal.position === 'object') {
      const p = goal.position as { x: number; y: number; z: number; range?: number };
      const d = bot.entity.position.distanceTo(new Vec3(p.x, p.y, p.z));
      (d <= (p.range ?? 2) ? oks : fails).push(`${d.toFixed(1)} blocks from (${p.x}, ${p.y}, ${p.z})`);
    }
    if (fails.length) return { success: false, reason: fails.join('; ') };
    if (unknown.length && oks.length === 0) return { success: null, reason: `goal keys ${unknown.join(', ')} are not checked by the environment` };
    return { success: true, reason: oks.join('; ') + (unknown.length ? ` (not checked: ${unknown.join(', ')})` : '') };
  }

  /**
   * Preconditions from the observation, each from its primitive's descriptor (craftItem by
   * minecraft-data recipes, smeltItem, placeItem/equipItem/depositItemIntoChest by items held, mineBlock
   * by harvest tool and blocks within 32). null where only trying can tell; false for unknown skills.
   */
  preconditions(observation: Observation, calls: readonly SkillCall[]): (boolean | null)[] {
    const json = observation.json as Record<string, any>;
    const facts = { registry: this.mcData, inventory: (json.inventory ?? {}) as Record<string, number>, nearby: (json.blockCounts ?? {}) as Record<string, number> };
    return calls.map((call) => {
      const d = this.descriptors.find((p) => p.name === call.skill);
      if (!d) return false;
      return d.precondition ? d.precondition((call.args ?? {}) as Record<string, any>, facts) : null;
    });
  }

  /** Leave the server, and stop the embedded world if this environment started it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.recorder.detach();
    this.chests.detach();
    await this.connection.close();
    if (this.world) await this.world.stop();
  }

  /** Events recorded at or after `since` (ms since epoch), oldest first. */
  recentEvents(since: number): EnvEvent[] {
    return this.recorder.all().filter((e) => e.time >= since);
  }

  /** Events recorded since the environment was created (bounded). */
  events(): EnvEvent[] {
    return this.recorder.all();
  }
}

/** Let a few ticks pass so inventory and chat events of the last step reach the recorder. */
async function sleepTicks(bot: Bot | null): Promise<void> {
  await new Promise<void>((r) => {
    const t = setTimeout(r, bot ? 200 : 0);
    t.unref?.();
  });
}

/**
 * Build a MinecraftEnvironment: `{embedded: {seed}}` starts the embedded world in-process on a free
 * loopback port; otherwise it connects to `host:port` (an external vanilla/Paper server or `skillforge world`).
 */
export async function createMinecraftEnvironment(options: MinecraftEnvironmentOptions = {}): Promise<MinecraftEnvironment> {
  let world: EmbeddedHandle | null = null;
  let connOptions: MinecraftConnectionOptions = options;
  if (options.embedded) {
    const { startEmbeddedWorld } = await import('./server/world.js');
    world = await startEmbeddedWorld({
      seed: options.embedded.seed ?? 1,
      port: options.embedded.port,
      ...(options.embedded.op !== undefined ? { op: options.embedded.op } : {}),
      ...(options.embedded.viewDistance !== undefined ? { viewDistance: options.embedded.viewDistance } : {}),
      ...(options.embedded.hostileMobs !== undefined ? { hostileMobs: options.embedded.hostileMobs } : {}),
    });
    connOptions = { ...options, host: world.host, port: world.port, version: world.version, auth: 'offline' };
  }
  try {
    const connection = await MinecraftConnection.open(connOptions);
    return new MinecraftEnvironment(connection, { id: options.id, world, defaultTimeoutMs: options.defaultTimeoutMs, primitiveSemantics: options.primitiveSemantics, primitives: options.primitives });
  } catch (err) {
    if (world) await world.stop().catch(() => {});
    throw err;
  }
}
