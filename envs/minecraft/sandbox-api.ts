/**
 * The Minecraft environment's SandboxApi: what Voyager skill code sees inside its isolate.
 *
 * Nothing of the real mineflayer bot crosses. The skill gets a `bot` built inside the isolate from
 * plain-data snapshots (position, inventory, health, nearby entities, pathfinder state, recent
 * events), refreshed after every call and when older than a few ticks, so Voyager's synchronous
 * reads work: `bot.inventory.items()`, `bot.entity.position.offset(1, 0, 0)`, `bot.findBlock(...)`
 * (a matcher function runs inside the isolate over minecraft-data block types; the host then searches
 * the world for those ids), `mcData.itemsByName` (tables copied in on first read). Acting is a set of
 * named calls with ajv schemas: the control primitives (each from its descriptor's `sandbox` part:
 * its calls, and the line of the bootstrap that defines its global), chat (capped per run),
 * pathfinder goals as data, look, dig, wait. When the run ends (finished, failed, timed out, aborted) the signal clears
 * pathfinding goals and cancels digging.
 *
 * @example
 * const api = minecraftSandboxApi(env.bot, signal, { primitive: { signal }, recentEvents: (t) => env.recentEvents(t) });
 * runtime.run({ code, main: 'await mineWoodLog(bot)', endowments: { [SANDBOX_API]: api }, timeoutMs: 60_000 });
 */
import { createRequire } from 'node:module';
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import type { EnvEvent, JsonSchema, JsonValue } from '../../core/types.js';
import type { SandboxApi, SandboxCall } from '../environment.js';
import { SkillforgeError } from '../../core/errors.js';
import { stopActivity, type PrimitiveOptions } from './primitives/context.js';
import type { PrimitiveDescriptor } from './primitives/descriptor.js';
import { MINECRAFT_PRIMITIVE_DESCRIPTORS } from './primitives/descriptors.js';
import { gotoGoal } from './primitives/movement.js';
import { COORD, COUNT, POS, args } from './primitives/schemas.js';

const require = createRequire(import.meta.url);
// Loaded with this module, not on a skill's first goal: a module load would stall the agent's thread.
const pathfinderGoalClasses = require('mineflayer-pathfinder').goals as Record<string, new (...a: unknown[]) => unknown>;

const GOAL_TYPES = ['GoalNear', 'GoalBlock', 'GoalXZ', 'GoalNearXZ', 'GoalY', 'GoalGetToBlock', 'GoalFollow', 'GoalLookAtBlock', 'GoalBreakBlock', 'GoalPlaceBlock', 'GoalCompositeAny', 'GoalCompositeAll', 'GoalInvert'] as const;
const GOAL: JsonSchema = {
  $id: 'skillforge:mc-goal',
  type: 'object',
  properties: {
    type: { enum: [...GOAL_TYPES] },
    args: { type: 'array', maxItems: 16, items: { anyOf: [COORD, { type: 'null' }, { $ref: 'skillforge:mc-goal' }] } },
  },
  required: ['type', 'args'],
  additionalProperties: false,
};

const TABLES = ['items', 'itemsByName', 'blocks', 'blocksByName', 'entities', 'entitiesByName', 'foods', 'foodsByName', 'biomes', 'enchantments', 'enchantmentsByName'];
const CHAT_LIMIT = 20;

type GoalDesc = { type: (typeof GOAL_TYPES)[number]; args: Array<number | null | GoalDesc> };

/** Rebuild a mineflayer-pathfinder goal from its data form (already schema-checked). */
function goalFrom(bot: Bot, d: GoalDesc, depth = 0): unknown {
  if (depth > 4) throw new Error('goals nested too deeply');
  const g = pathfinderGoalClasses;
  const n = d.args.map((a) => (typeof a === 'number' ? a : 0));
  const sub = () => d.args.filter((a): a is GoalDesc => !!a && typeof a === 'object').map((a) => goalFrom(bot, a, depth + 1));
  switch (d.type) {
    case 'GoalNear': return new g.GoalNear(n[0], n[1], n[2], n[3] ?? 1);
    case 'GoalBlock': return new g.GoalBlock(n[0], n[1], n[2]);
    case 'GoalXZ': return new g.GoalXZ(n[0], n[1]);
    case 'GoalNearXZ': return new g.GoalNearXZ(n[0], n[1], n[2] ?? 1);
    case 'GoalY': return new g.GoalY(n[0]);
    case 'GoalGetToBlock': return new g.GoalGetToBlock(n[0], n[1], n[2]);
    case 'GoalLookAtBlock': return new g.GoalLookAtBlock(new Vec3(n[0], n[1], n[2]), bot.world);
    case 'GoalBreakBlock': return new g.GoalBreakBlock(n[0], n[1], n[2], bot);
    case 'GoalPlaceBlock': return new g.GoalPlaceBlock(new Vec3(n[0], n[1], n[2]), bot.world, {});
    case 'GoalFollow': {
      const entity = bot.entities[n[0]];
      if (!entity) throw new Error(`no entity ${n[0]} to follow`);
      return new g.GoalFollow(entity, n[1] ?? 1);
    }
    case 'GoalCompositeAny': return new g.GoalCompositeAny(sub());
    case 'GoalCompositeAll': return new g.GoalCompositeAll(sub());
    case 'GoalInvert': return new g.GoalInvert(sub()[0]);
  }
}

const tableCache = new WeakMap<object, Map<string, JsonValue>>();
function plainTable(registry: Record<string, unknown>, name: string): JsonValue {
  let cache = tableCache.get(registry);
  if (!cache) tableCache.set(registry, (cache = new Map()));
  let table = cache.get(name);
  if (table === undefined) {
    // minecraft-data is plain JSON already; the round trip drops anything that is not.
    table = JSON.parse(JSON.stringify(registry[name] ?? null)) as JsonValue;
    cache.set(name, table);
  }
  return table;
}

const pos = (p: { x: number; y: number; z: number } | undefined | null) => (p ? { x: p.x, y: p.y, z: p.z } : null);

export interface MinecraftSandboxOptions {
  /** Passed to every primitive: the run's signal and time cap. */
  primitive?: PrimitiveOptions;
  /** Events for the skill's bounded queue (chat, damage, ...). */
  recentEvents?: (since: number) => EnvEvent[];
  /** The primitives skill code may call (default: the environment's built-in list). */
  primitives?: readonly PrimitiveDescriptor[];
}

export function minecraftSandboxApi(bot: Bot, signal: AbortSignal, options: MinecraftSandboxOptions = {}): SandboxApi {
  const o = options.primitive;
  const started = Date.now();
  let chats = 0;
  const stop = () => stopActivity(bot);
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });

  const primitives = options.primitives ?? MINECRAFT_PRIMITIVE_DESCRIPTORS;
  const call = (params: JsonSchema, run: (a: any[]) => unknown, kind: 'sync' | 'async' = 'async'): SandboxCall => ({ params, kind, run });
  const calls: Record<string, SandboxCall> = {};
  for (const p of primitives) for (const [name, spec] of Object.entries(p.sandbox.calls)) calls[name] = call(spec.params, (a) => spec.run(bot, a, o), spec.kind);
  const builtIn: Record<string, SandboxCall> = {
    chat: call(args([{ type: 'string', maxLength: 256 }], 1), ([message]) => {
      if (++chats > CHAT_LIMIT) throw new Error(`chat limit reached: a skill may send ${CHAT_LIMIT} messages per run`);
      bot.chat(message);
    }),
    goto: call(args([GOAL], 1), ([goal]) => gotoGoal(bot, goalFrom(bot, goal), goal.type)),
    setGoal: call(args([{ anyOf: [GOAL, { type: 'null' }] }, { type: 'boolean' }], 1), ([goal, dynamic]) => bot.pathfinder.setGoal((goal ? goalFrom(bot, goal) : null) as never, dynamic ?? false), 'sync'),
    stopPathfinder: call(args([], 0), () => stop(), 'sync'),
    lookAt: call(args([POS], 1), ([p]) => bot.lookAt(new Vec3(p.x, p.y, p.z))),
    dig: call(args([POS], 1), async ([p]) => {
      const block = bot.blockAt(new Vec3(p.x, p.y, p.z));
      if (!block || block.name === 'air') throw new Error(`no block to dig at (${p.x}, ${p.y}, ${p.z})`);
      if (block.position.distanceTo(bot.entity.position) > 6) throw new Error(`block at (${p.x}, ${p.y}, ${p.z}) is out of reach`);
      await bot.dig(block);
    }),
    waitForTicks: call(args([COUNT(1200)], 1), ([n]) => bot.waitForTicks(n)),
    findBlocks: call(
      args([{
        type: 'object',
        properties: {
          ids: { type: 'array', maxItems: 4096, items: { type: 'integer', minimum: 0, maximum: 100_000 } },
          maxDistance: { type: 'number', minimum: 0, maximum: 64 },
          count: COUNT(256),
          point: POS,
        },
        required: ['ids'],
      }], 1),
      ([q]) => {
        const ids = new Set<number>(q.ids);
        const found = bot.findBlocks({ matching: (b: { type: number }) => ids.has(b.type), maxDistance: q.maxDistance ?? 16, count: q.count ?? 1, ...(q.point ? { point: new Vec3(q.point.x, q.point.y, q.point.z) } : {}) });
        return found.map((p) => {
          const b = bot.blockAt(p);
          return { name: b?.name ?? 'unknown', type: b?.type ?? -1, metadata: b?.metadata ?? 0, position: pos(p) };
        });
      },
      'sync',
    ),
    blockAt: call(args([POS], 1), ([p]) => {
      const b = bot.blockAt(new Vec3(p.x, p.y, p.z));
      return b ? { name: b.name, type: b.type, metadata: b.metadata, position: pos(b.position), diggable: b.diggable, boundingBox: b.boundingBox } : null;
    }, 'sync'),
  };
  for (const [name, c] of Object.entries(builtIn)) {
    if (name in calls) throw new SkillforgeError('E_INVALID', `a primitive defines the sandbox call ${name}, which the Minecraft sandbox API already has`, { hint: 'give the primitive\'s call another name' });
    calls[name] = c;
  }

  const registry = bot.registry as unknown as Record<string, unknown>;
  const tables: Record<string, () => JsonValue> = {};
  for (const name of TABLES) tables[name] = () => plainTable(registry, name);

  return {
    bootstrap: minecraftBootstrap(primitives),
    calls,
    tables,
    snapshot(): JsonValue {
      const e = bot.entity;
      const me = e?.position;
      const entities: JsonValue[] = [];
      if (me) {
        for (const ent of Object.values(bot.entities)) {
          if (ent === e || !ent.position || ent.position.distanceTo(me) > 32) continue;
          entities.push({ id: ent.id, name: ent.name ?? null, type: ent.type ?? null, username: ent.username ?? null, displayName: typeof ent.displayName === 'string' ? ent.displayName : null, position: pos(ent.position), height: ent.height ?? 0 });
          if (entities.length >= 64) break;
        }
      }
      const item = (i: { name: string; count: number; type: number; slot: number; displayName?: string; stackSize?: number; durabilityUsed?: number; metadata?: number }) =>
        ({ name: i.name, count: i.count, type: i.type, slot: i.slot, displayName: i.displayName ?? i.name, stackSize: i.stackSize ?? 64, metadata: i.metadata ?? 0 });
      const events = options.recentEvents ? options.recentEvents(started).slice(-50).map((ev) => ({ type: ev.type, time: ev.time, text: ev.text.slice(0, 300) })) : [];
      const pf = (bot as Bot & { pathfinder?: { isMoving?(): boolean } }).pathfinder;
      return {
        version: bot.version ?? null,
        username: bot.username ?? null,
        entityId: e?.id ?? null,
        position: pos(me),
        velocity: pos(e?.velocity),
        yaw: e?.yaw ?? 0,
        pitch: e?.pitch ?? 0,
        onGround: e?.onGround ?? true,
        health: bot.health ?? 20,
        food: bot.food ?? 20,
        oxygenLevel: bot.oxygenLevel ?? 20,
        timeOfDay: bot.time?.timeOfDay ?? 0,
        isRaining: bot.isRaining ?? false,
        inventory: bot.inventory ? bot.inventory.items().map(item) : [],
        heldItem: bot.heldItem ? item(bot.heldItem) : null,
        isMoving: pf?.isMoving?.() ?? false,
        entities,
        events,
      };
    },
  };
}

const bootstraps = new WeakMap<readonly PrimitiveDescriptor[], string>();
/** The bootstrap for a list of primitives: one `host.define` per primitive, from its descriptor. */
function minecraftBootstrap(primitives: readonly PrimitiveDescriptor[]): string {
  let source = bootstraps.get(primitives);
  if (source === undefined) {
    const defines = primitives.map((p) => `  host.define(${JSON.stringify(p.name)}, ${p.sandbox.global});`).join('\n');
    source = BOOTSTRAP_HEAD + defines + BOOTSTRAP_TAIL;
    bootstraps.set(primitives, source);
  }
  return source;
}

// Runs inside the isolate (see skills/runtime/sandbox-prelude.js for `host`). The primitives' globals
// go between head and tail; what their `global` expressions may use is defined above that point.
const BOOTSTRAP_HEAD = `(function minecraftBootstrap(host, G) {
  'use strict';
  const V = host.Vec3;
  let snap = null;
  let snapAt = 0;
  function state() {
    const s = host.snapshot();
    const now = Date.now();
    if (s !== null && s !== snap) { snap = s; snapAt = now; }
    // Refreshed after every call; while the skill only reads, at most every 50 ms.
    if (snap === null || now - snapAt > 50) { snap = host.refresh(); snapAt = now; }
    return snap;
  }
  const v3 = (p) => (p ? new V(p.x, p.y, p.z) : null);
  const plainPos = (p) => {
    if (!p || typeof p !== 'object') throw new TypeError('expected a position {x, y, z}');
    return { x: Number(p.x), y: Number(p.y), z: Number(p.z) };
  };
  const copy = (i) => (i ? Object.assign({}, i) : null);
  const nameOf = (i) => (typeof i === 'string' ? i : i && typeof i.name === 'string' ? i.name : (() => { throw new TypeError('expected an item or item name'); })());

  const TABLES = ${JSON.stringify(TABLES)};
  const mcData = {};
  for (const name of TABLES) Object.defineProperty(mcData, name, { get: () => host.table(name), enumerable: true, configurable: true });
  Object.defineProperty(mcData, 'version', { get: () => ({ minecraftVersion: state().version }), enumerable: true });

  function blockTypes() {
    const blocks = host.table('blocks');
    return Array.isArray(blocks) ? blocks.filter(Boolean) : Object.values(blocks);
  }
  function toBlock(b) {
    const info = host.table('blocks')[b.type] || {};
    return Object.assign({}, info, { name: b.name, type: b.type, metadata: b.metadata, position: v3(b.position) });
  }
  function findBlocksRaw(opts) {
    if (!opts || typeof opts !== 'object') throw new TypeError('findBlock needs options {matching, maxDistance}');
    const matching = opts.matching;
    const count = Math.max(1, Math.min(256, Math.floor(Number(opts.count ?? 1)) || 1));
    let ids = [];
    let recheck = null;
    if (typeof matching === 'function') {
      // The matcher runs here, over block types; one that needs a position is re-run on the finds.
      for (const info of blockTypes()) {
        let hit;
        try { hit = matching(Object.assign({}, info, { type: info.id, position: undefined })); } catch { hit = 'maybe'; recheck = matching; }
        if (hit) ids.push(info.id);
      }
    } else if (Array.isArray(matching)) ids = matching.map(Number);
    else if (matching && typeof matching === 'object' && typeof matching.has === 'function') ids = Array.from(matching).map(Number);
    else ids = [Number(matching)];
    ids = ids.filter((x) => Number.isInteger(x) && x >= 0);
    if (ids.length === 0) return [];
    const query = { ids, maxDistance: Math.min(64, Math.max(0, Number(opts.maxDistance ?? 16) || 0)), count: recheck ? Math.min(256, count * 8) : count };
    if (opts.point) query.point = plainPos(opts.point);
    let found = host.sync('findBlocks', [query]).map(toBlock);
    if (recheck) found = found.filter((b) => { try { return !!recheck(b); } catch { return false; } }).slice(0, count);
    return found;
  }

  class Goal { constructor(type, args) { this.type = type; this.args = args; } }
  const goalArg = (a) => (a instanceof Goal ? { type: a.type, args: a.args.map(goalArg) } : a === null || a === undefined ? null : Number(a));
  const toGoal = (g) => { if (!(g instanceof Goal)) throw new TypeError('expected a pathfinder goal (new GoalNear(x, y, z, range), ...)'); return goalArg(g); };
  const coordsOf = (p) => { const q = plainPos(p); return [q.x, q.y, q.z]; };
  const goals = {
    GoalNear: class GoalNear extends Goal { constructor(x, y, z, range) { super('GoalNear', [x, y, z, range ?? 1]); this.x = x; this.y = y; this.z = z; this.rangeSq = (range ?? 1) ** 2; } },
    GoalBlock: class GoalBlock extends Goal { constructor(x, y, z) { super('GoalBlock', [x, y, z]); this.x = x; this.y = y; this.z = z; } },
    GoalXZ: class GoalXZ extends Goal { constructor(x, z) { super('GoalXZ', [x, z]); this.x = x; this.z = z; } },
    GoalNearXZ: class GoalNearXZ extends Goal { constructor(x, z, range) { super('GoalNearXZ', [x, z, range ?? 1]); } },
    GoalY: class GoalY extends Goal { constructor(y) { super('GoalY', [y]); this.y = y; } },
    GoalGetToBlock: class GoalGetToBlock extends Goal { constructor(x, y, z) { super('GoalGetToBlock', [x, y, z]); this.x = x; this.y = y; this.z = z; } },
    GoalFollow: class GoalFollow extends Goal { constructor(entity, range) { super('GoalFollow', [entity && entity.id, range ?? 1]); } },
    GoalLookAtBlock: class GoalLookAtBlock extends Goal { constructor(p) { super('GoalLookAtBlock', coordsOf(p)); } },
    GoalBreakBlock: class GoalBreakBlock extends Goal { constructor(x, y, z) { super('GoalBreakBlock', [x, y, z]); } },
    GoalPlaceBlock: class GoalPlaceBlock extends Goal { constructor(p) { super('GoalPlaceBlock', coordsOf(p)); } },
    GoalCompositeAny: class GoalCompositeAny extends Goal { constructor(list) { super('GoalCompositeAny', Array.from(list || [])); } },
    GoalCompositeAll: class GoalCompositeAll extends Goal { constructor(list) { super('GoalCompositeAll', Array.from(list || [])); } },
    GoalInvert: class GoalInvert extends Goal { constructor(goal) { super('GoalInvert', [goal]); } },
  };
  class Movements { constructor() { this.canDig = true; this.allow1by1towers = true; this.allowParkour = true; this.allowSprinting = true; } }

  const inventory = {
    items: () => state().inventory.map(copy),
    count(idOrName) {
      const key = typeof idOrName === 'number' ? 'type' : 'name';
      return state().inventory.filter((i) => i[key] === idOrName).reduce((n, i) => n + i.count, 0);
    },
    findInventoryItem(idOrName) {
      const key = typeof idOrName === 'number' ? 'type' : 'name';
      return copy(state().inventory.find((i) => i[key] === idOrName));
    },
    get slots() { const slots = []; for (const i of state().inventory) slots[i.slot] = copy(i); return slots; },
  };
  const entityOf = (e) => Object.assign({}, e, { position: v3(e.position) });
  const pathfinder = {
    setGoal: (goal, dynamic) => { host.sync('setGoal', goal ? [toGoal(goal), !!dynamic] : [null]); },
    goto: (goal) => { try { return host.async('goto', [toGoal(goal)]); } catch (e) { return Promise.reject(e); } },
    stop: () => { host.sync('stopPathfinder', []); },
    isMoving: () => state().isMoving,
    setMovements: () => {},
  };
  const bot = {
    get username() { return state().username; },
    get entity() {
      const s = state();
      return { id: s.entityId, username: s.username, position: v3(s.position), velocity: v3(s.velocity), yaw: s.yaw, pitch: s.pitch, onGround: s.onGround, height: 1.62 };
    },
    get health() { return state().health; },
    get food() { return state().food; },
    get oxygenLevel() { return state().oxygenLevel; },
    get isRaining() { return state().isRaining; },
    get time() { return { timeOfDay: state().timeOfDay }; },
    get heldItem() { return copy(state().heldItem); },
    get entities() { const out = {}; for (const e of state().entities) out[e.id] = entityOf(e); return out; },
    get players() { const out = {}; for (const e of state().entities) if (e.type === 'player' && e.username) out[e.username] = { username: e.username, entity: entityOf(e) }; return out; },
    /** Recent events (chat, damage, ...), oldest first: the skill's bounded queue. */
    events: () => state().events.map(copy),
    inventory,
    registry: mcData,
    pathfinder,
    findBlock: (opts) => findBlocksRaw(Object.assign({}, opts, { count: 1 }))[0] || null,
    findBlocks: (opts) => findBlocksRaw(opts).map((b) => b.position),
    blockAt: (p) => { const b = host.sync('blockAt', [plainPos(p)]); return b ? toBlock(b) : null; },
    nearestEntity(filter) {
      const me = v3(state().position);
      const list = state().entities.map(entityOf).filter((e) => { try { return !filter || filter(e); } catch { return false; } });
      list.sort((a, b) => a.position.distanceTo(me) - b.position.distanceTo(me));
      return list[0] || null;
    },
    chat(message) { host.async('chat', [String(message).slice(0, 256)]).catch((e) => console.warn(String(e && e.message))); },
    equip: (item, destination) => host.async('equipItem', destination ? [nameOf(item), destination] : [nameOf(item)]),
    lookAt: (p) => host.async('lookAt', [plainPos(p)]),
    dig: (block) => host.async('dig', [plainPos(block && block.position)]),
    waitForTicks: (n) => host.async('waitForTicks', [n]),
  };

  const trim = (a) => { while (a.length && a[a.length - 1] === undefined) a.pop(); return a; };
  const prim = (name, convert) => function primitive(_bot, ...rest) { try { return host.async(name, trim(convert ? convert(rest) : rest)); } catch (e) { return Promise.reject(e); } };
  const posArg = (p) => (p === undefined ? undefined : plainPos(p));
  host.define('bot', bot);
  host.define('mcData', mcData);
`;
const BOOTSTRAP_TAIL = `
  host.define('Movements', Movements);
  host.define('goals', goals);
  for (const k of Object.keys(goals)) host.define(k, goals[k]);
})`;
