/**
 * Minecraft behind the Environment contract: a mineflayer bot (embedded flying-squid world or an
 * external server) whose built-in skills are Voyager's control primitives.
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
import type { EnvEvent, JsonSchema, JsonValue, Observation, Outcome, SkillCall } from '../../core/types.js';
import { validator } from '../../core/validate.js';
import { SANDBOX_API, type CheckResult, type Environment, type ExecuteOptions, type Primitive, type SandboxApi, type Task } from '../environment.js';
import { minecraftSandboxApi } from './sandbox-api.js';
import { MinecraftConnection, type MinecraftConnectionOptions } from './connection.js';
import { EventRecorder, inventoryCounts } from './events.js';
import { BLOCK_GROUPS, ChestMemory, observeBot } from './observation.js';
import { weakestHarvestTool } from './primitives/mineBlock.js';
import {
  checkItemInsideChest,
  craftItem,
  depositItemIntoChest,
  equipItem,
  exploreUntil,
  getItemFromChest,
  killMob,
  mineBlock,
  moveTo,
  placeItem,
  setPrimitiveContext,
  getPrimitiveContext,
  setPrimitiveSemantics,
  smeltItem,
  stopActivity,
} from './primitives/index.js';
import type { PrimitiveSemantics } from './primitives/context.js';
import type { EmbeddedWorldOptions } from './server/world.js';
import { SMELTING, craftFeasibility, fuelValue, type RecipeRegistry } from './recipes.js';

const require = createRequire(import.meta.url);

const vec = { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' }, z: { type: 'number' } }, required: ['x', 'y', 'z'], additionalProperties: false };
const dirVec = {
  type: 'object',
  properties: { x: { enum: [-1, 0, 1] }, y: { enum: [-1, 0, 1] }, z: { enum: [-1, 0, 1] } },
  required: ['x', 'y', 'z'],
  additionalProperties: false,
};
const name = (what: string) => ({ type: 'string', minLength: 1, description: what });
const count = (what: string) => ({ type: 'integer', minimum: 1, maximum: 256, default: 1, description: what });
const itemCounts = { type: 'object', additionalProperties: { type: 'integer', minimum: 1 }, minProperties: 1 };
const obj = (properties: Record<string, unknown>, required: string[]): JsonSchema => ({ type: 'object', properties, required, additionalProperties: false });

/** The built-in skills, with JSON-schema arguments (named like Voyager's parameters). */
export const MINECRAFT_PRIMITIVES: readonly Primitive[] = Object.freeze([
  { name: 'mineBlock', description: 'Mine `count` blocks named `name` within 32 blocks and pick up the drops (stone needs a wooden_pickaxe, iron_ore a stone_pickaxe).', params: obj({ name: name('block id, e.g. oak_log'), count: count('blocks to mine') }, ['name']) },
  { name: 'craftItem', description: 'Run the crafting recipe of `name` `count` times (3x3 recipes need a placed crafting_table within 32 blocks).', params: obj({ name: name('item id, e.g. stick'), count: count('times to run the recipe') }, ['name']) },
  { name: 'smeltItem', description: 'Smelt `count` of `itemName` (e.g. iron_ore) in a placed furnace within 32 blocks, burning `fuelName` (e.g. oak_planks, coal).', params: obj({ itemName: name('input item id'), fuelName: name('fuel item id'), count: count('items to smelt') }, ['itemName', 'fuelName']) },
  { name: 'placeItem', description: 'Place the block item `name` from the inventory at `position` (default: a free spot next to the bot).', params: obj({ name: name('block item id, e.g. crafting_table'), position: vec }, ['name']) },
  { name: 'killMob', description: 'Kill the nearest `mobName` within 48 blocks and pick up its drops; gives up after `timeout` seconds.', params: obj({ mobName: name('mob id, e.g. pig'), timeout: { type: 'number', exclusiveMinimum: 0, maximum: 600, default: 300 } }, ['mobName']) },
  { name: 'exploreUntil', description: 'Walk in `direction` (components -1, 0, 1) for up to `maxTime` seconds, stopping early once block `untilBlock` or mob `untilEntity` is within 32 blocks.', params: obj({ direction: dirVec, maxTime: { type: 'number', exclusiveMinimum: 0, maximum: 1200, default: 60 }, untilBlock: { type: 'string' }, untilEntity: { type: 'string' } }, ['direction']) },
  { name: 'getItemFromChest', description: 'Take items {name: count} from the chest at `chestPosition`.', params: obj({ chestPosition: vec, itemsToGet: itemCounts }, ['chestPosition', 'itemsToGet']) },
  { name: 'depositItemIntoChest', description: 'Put items {name: count} into the chest at `chestPosition`.', params: obj({ chestPosition: vec, itemsToDeposit: itemCounts }, ['chestPosition', 'itemsToDeposit']) },
  { name: 'checkItemInsideChest', description: 'Open the chest at `chestPosition` and report what is inside.', params: obj({ chestPosition: vec }, ['chestPosition']) },
  { name: 'moveTo', description: 'Walk to within `range` blocks of `position`.', params: obj({ position: vec, range: { type: 'number', minimum: 0, default: 1 } }, ['position']) },
  { name: 'equipItem', description: 'Hold item `name` from the inventory (destination hand, off-hand, head, torso, legs or feet).', params: obj({ name: name('item id'), destination: { enum: ['hand', 'off-hand', 'head', 'torso', 'legs', 'feet'], default: 'hand' } }, ['name']) },
]);

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

  constructor(connection: MinecraftConnection, options: { id?: string; world?: EmbeddedHandle | null; defaultTimeoutMs?: number; primitiveSemantics?: PrimitiveSemantics } = {}) {
    this.connection = connection;
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
    return MINECRAFT_PRIMITIVES.map((p) => ({ ...p }));
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
    const prim = MINECRAFT_PRIMITIVES.find((p) => p.name === call.skill);
    if (!prim) return finish(false, `unknown primitive ${call.skill}; known: ${MINECRAFT_PRIMITIVES.map((p) => p.name).join(', ')}`);
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
        return this.dispatch(bot, call.skill, args);
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

  private async dispatch(bot: Bot, skill: string, a: Record<string, any>): Promise<JsonValue | undefined> {
    switch (skill) {
      case 'mineBlock':
        await mineBlock(bot, a.name, a.count);
        return undefined;
      case 'craftItem':
        await craftItem(bot, a.name, a.count);
        return undefined;
      case 'smeltItem':
        await smeltItem(bot, a.itemName, a.fuelName, a.count);
        return undefined;
      case 'placeItem': {
        // Without a position placeItem picks the spot itself (and digs one out of a wall if it must).
        const pos = await placeItem(bot, a.name, a.position ? new Vec3(a.position.x, a.position.y, a.position.z) : undefined);
        return pos ? { x: pos.x, y: pos.y, z: pos.z } : null;
      }
      case 'killMob':
        await killMob(bot, a.mobName, a.timeout);
        return undefined;
      case 'exploreUntil': {
        const dir = new Vec3(a.direction.x, a.direction.y, a.direction.z);
        const blockId = a.untilBlock ? bot.registry.blocksByName[a.untilBlock]?.id : undefined;
        if (a.untilBlock && blockId === undefined) throw new SkillforgeError('E_MC_UNKNOWN_BLOCK', `no block named ${a.untilBlock}`);
        const found = await exploreUntil(bot, dir, a.maxTime, () => {
          if (blockId !== undefined) {
            const b = bot.findBlock({ matching: blockId, maxDistance: 32 });
            if (b) return { found: a.untilBlock, x: b.position.x, y: b.position.y, z: b.position.z };
          }
          if (a.untilEntity) {
            const e = bot.nearestEntity((x) => x.name === a.untilEntity && x.position.distanceTo(bot.entity.position) < 32);
            if (e) return { found: a.untilEntity, x: e.position.x, y: e.position.y, z: e.position.z };
          }
          return null;
        });
        return (found ?? null) as JsonValue;
      }
      case 'getItemFromChest':
        return await getItemFromChest(bot, a.chestPosition, a.itemsToGet);
      case 'depositItemIntoChest':
        return await depositItemIntoChest(bot, a.chestPosition, a.itemsToDeposit);
      case 'checkItemInsideChest':
        return await checkItemInsideChest(bot, a.chestPosition);
      case 'moveTo':
        await moveTo(bot, a.position, a.range);
        return undefined;
      case 'equipItem':
        await equipItem(bot, a.name, a.destination);
        return undefined;
    }
    throw new SkillforgeError('E_INVALID', `unknown primitive ${skill}`);
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
      mineBlock: (b: Bot, name: string, count = 1) => mineBlock(b, name, count, o),
      craftItem: (b: Bot, name: string, count = 1) => craftItem(b, name, count, o),
      smeltItem: (b: Bot, itemName: string, fuelName: string, count = 1) => smeltItem(b, itemName, fuelName, count, o),
      // Without a position (composites written from execute() calls), placeItem picks a spot near the bot.
      placeItem: (b: Bot, name: string, position?: Vec3) => placeItem(b, name, position, o),
      killMob: (b: Bot, mobName: string, timeout = 300) => killMob(b, mobName, timeout, o),
      exploreUntil: (b: Bot, direction: Vec3, maxTime = 60, callback?: () => unknown) => exploreUntil(b, direction, maxTime, callback, o),
      getItemFromChest: (b: Bot, pos: Vec3, items: Record<string, number>) => getItemFromChest(b, pos, items, o),
      depositItemIntoChest: (b: Bot, pos: Vec3, items: Record<string, number>) => depositItemIntoChest(b, pos, items, o),
      checkItemInsideChest: (b: Bot, pos: Vec3) => checkItemInsideChest(b, pos, o),
      moveTo: (b: Bot, position: Vec3, range = 1) => moveTo(b, position, range, o),
      equipItem: (b: Bot, name: string, destination = 'hand') => equipItem(b, name, destination, o),
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
    return { primitive, recentEvents: (since: number) => this.recentEvents(since) };
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
   * Exact preconditions from the observation: craftItem by minecraft-data recipes (ingredients, table
   * within 32), smeltItem (input, fuel, furnace), placeItem/equipItem/depositItemIntoChest (items held),
   * mineBlock (harvest tool; absence of single-kind blocks within 32). null where only trying can tell.
   */
  preconditions(observation: Observation, calls: readonly SkillCall[]): (boolean | null)[] {
    const reg = this.mcData;
    const json = observation.json as Record<string, any>;
    const inv = (json.inventory ?? {}) as Record<string, number>;
    const near = (json.blockCounts ?? {}) as Record<string, number>;
    return calls.map((call) => {
      const a = (call.args ?? {}) as Record<string, any>;
      switch (call.skill) {
        case 'craftItem':
          if (typeof a.name !== 'string') return false;
          return craftFeasibility(reg, a.name, Number(a.count ?? 1), inv, (near.crafting_table ?? 0) > 0).feasible;
        case 'smeltItem': {
          const n = Number(a.count ?? 1);
          const input = a.itemName in SMELTING ? a.itemName : Object.keys(SMELTING).find((i) => SMELTING[i] === a.itemName && (inv[i] ?? 0) > 0);
          if (!input || (inv[input] ?? 0) < n) return false;
          const per = fuelValue(String(a.fuelName));
          if (per <= 0 || (inv[a.fuelName] ?? 0) < Math.ceil(n / per)) return false;
          return (near.furnace ?? 0) > 0;
        }
        case 'placeItem':
          return (inv[a.name] ?? 0) > 0 ? null : false;
        case 'equipItem':
          return (inv[a.name] ?? 0) > 0;
        case 'depositItemIntoChest':
          return Object.keys(a.itemsToDeposit ?? {}).some((n) => (inv[n] ?? 0) > 0) ? null : false;
        case 'mineBlock': {
          const block = reg.blocksByName[a.name];
          if (!block) return false;
          const tool = weakestHarvestTool({ registry: reg } as Bot, block);
          if (tool && !Object.keys(inv).some((n) => block.harvestTools?.[String(reg.itemsByName[n]?.id)])) return false;
          // blockCounts covers mineBlock's own search radius: a group with none means none of its members.
          const group = BLOCK_GROUPS.find(([, names]) => names.includes(a.name));
          if (group && group[0] in near && (near[group[0]] ?? 0) === 0) return false;
          return null;
        }
        default:
          return MINECRAFT_PRIMITIVES.some((p) => p.name === call.skill) ? null : false;
      }
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
    return new MinecraftEnvironment(connection, { id: options.id, world, defaultTimeoutMs: options.defaultTimeoutMs, primitiveSemantics: options.primitiveSemantics });
  } catch (err) {
    if (world) await world.stop().catch(() => {});
    throw err;
  }
}
