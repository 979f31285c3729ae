import { createRequire } from 'node:module';
import type { Bot } from 'mineflayer';
import '../plugin-types.js';
import { Vec3 } from 'vec3';
import { SkillforgeError } from '../../../core/errors.js';
import { Random } from '../../../core/random.js';
import { feedback, runPrimitive, safeJson, type PrimitiveOptions } from './context.js';
import type { JsonValue } from '../../../core/types.js';
import type { PrimitiveDescriptor } from './descriptor.js';
import { args, dirVec, obj } from './schemas.js';

const require = createRequire(import.meta.url);

/**
 * Voyager's `exploreUntil(bot, direction, maxTime = 60, callback)`: keep walking in `direction` (a Vec3 whose
 * components are -1, 0 or 1) for up to `maxTime` seconds, calling `callback()` every step; resolve with the
 * first truthy value it returns (e.g. a found block), or `null` when time runs out. Rejects with E_INVALID
 * for a bad direction, the callback's own error, E_ABORTED, E_MC_DISCONNECTED.
 *
 * @example
 * const log = await exploreUntil(bot, new Vec3(1, 0, 1), 60, () =>
 *   bot.findBlock({ matching: mcData.blocksByName.oak_log.id, maxDistance: 32 }));
 */
export async function exploreUntil<T>(
  bot: Bot,
  direction: Vec3 | { x: number; y: number; z: number },
  maxTime: number = 60,
  callback: () => T | Promise<T> = () => false as T,
  options?: PrimitiveOptions,
): Promise<T | null> {
  const d = direction as { x?: unknown; y?: unknown; z?: unknown };
  const ok = (v: unknown) => v === -1 || v === 0 || v === 1;
  if (!d || typeof d !== 'object' || !ok(d.x) || !ok(d.y) || !ok(d.z)) {
    throw new SkillforgeError('E_INVALID', `direction must be a Vec3 only with values -1, 0 or 1, got ${safeJson(direction)}`, { hint: 'e.g. new Vec3(1, 0, 0)' });
  }
  const dir = new Vec3(d.x as number, d.y as number, d.z as number);
  if (dir.x === 0 && dir.y === 0 && dir.z === 0) throw new SkillforgeError('E_INVALID', 'direction cannot be 0, 0, 0');
  if (typeof maxTime !== 'number' || !(maxTime > 0)) throw new SkillforgeError('E_INVALID', 'maxTime must be a number of seconds > 0');
  if (typeof callback !== 'function') throw new SkillforgeError('E_INVALID', 'callback must be a function');
  const seconds = Math.min(maxTime, 1200);
  // A little beyond maxTime: running out of exploration time is a normal result (null), not a time-out.
  return runPrimitive(bot, `exploreUntil(${dir.x}, ${dir.y}, ${dir.z})`, seconds * 1000 + 5_000, options, async (run) => {
    const first = await callback();
    if (first) {
      feedback(bot, 'Explore success.');
      return first;
    }
    const { GoalNear, GoalNearXZ } = require('mineflayer-pathfinder').goals;
    const rng = new Random(Date.now() ^ (bot.entity.id ?? 0));
    const deadline = Date.now() + seconds * 1000;
    try {
      while (Date.now() < deadline) {
        run.check();
        const p = bot.entity.position;
        const step = () => rng.int(10, 29);
        const x = p.x + step() * dir.x;
        const y = p.y + step() * dir.y;
        const z = p.z + step() * dir.z;
        bot.pathfinder.setGoal(dir.y === 0 ? new GoalNearXZ(x, z, 2) : new GoalNear(x, y, z, 2));
        await waitMs(Math.min(2000, Math.max(0, deadline - Date.now())), run.signal);
        run.check();
        const result = await callback();
        if (result) {
          feedback(bot, 'Explore success.');
          return result;
        }
      }
    } finally {
      try {
        bot.pathfinder.setGoal(null);
      } catch {
        /* ignore */
      }
    }
    feedback(bot, 'Max exploration time reached');
    return null;
  });
}

function waitMs(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    t.unref?.();
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * exploreUntil as the environment offers it (see descriptor.ts). execute() stops at a named block or
 * mob; skill code passes its own callback. In the isolate the callback cannot cross to the host, so
 * the host walks in short legs (the `exploreStep` call) and the isolate checks between legs.
 */
export const exploreUntilDescriptor: PrimitiveDescriptor = {
  name: 'exploreUntil',
  description: 'Walk in `direction` (components -1, 0, 1) for up to `maxTime` seconds, stopping early once block `untilBlock` or mob `untilEntity` is within 32 blocks.',
  params: obj({ direction: dirVec, maxTime: { type: 'number', exclusiveMinimum: 0, maximum: 1200, default: 60 }, untilBlock: { type: 'string' }, untilEntity: { type: 'string' } }, ['direction']),
  run: async (bot, a) => {
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
  },
  endowment: (o) => (b: Bot, direction: Vec3, maxTime = 60, callback?: () => unknown) => exploreUntil(b, direction, maxTime, callback, o),
  sandbox: {
    calls: {
      exploreStep: {
        params: args([{ type: 'object', properties: { x: { enum: [-1, 0, 1] }, y: { enum: [-1, 0, 1] }, z: { enum: [-1, 0, 1] } }, required: ['x', 'y', 'z'] }, { type: 'number', exclusiveMinimum: 0, maximum: 5 }], 2),
        run: (bot, [d, seconds], o) => exploreUntil(bot, new Vec3(d.x, d.y, d.z), seconds, () => false, o),
      },
    },
    // The callback runs in the isolate, between legs, on fresh data.
    global: `async function exploreUntil(_bot, direction, maxTime = 60, callback = () => false) {
    const d = plainPos(direction);
    const seconds = Number(maxTime);
    if (!(seconds > 0)) throw new Error('maxTime must be a number of seconds > 0');
    if (typeof callback !== 'function') throw new Error('callback must be a function');
    const end = Date.now() + Math.min(seconds, 1200) * 1000;
    let found = await callback();
    while (!found && Date.now() < end) {
      await host.async('exploreStep', [d, Math.max(0.05, Math.min(2, (end - Date.now()) / 1000))]);
      host.refresh();
      found = await callback();
    }
    return found || null;
  }`,
  },
  doc: `// Walk in \`direction\` (x, y, z each -1, 0 or 1) for up to \`maxTime\` seconds; stop as soon as
// callback() returns something truthy and return it (null when time runs out).
// Example: const log = await exploreUntil(bot, new Vec3(1, 0, 1), 60, () =>
//   bot.findBlock({ matching: mcData.blocksByName.oak_log.id, maxDistance: 32 }));
async function exploreUntil(bot, direction, maxTime = 60, callback) {}`,
};
