/**
 * A top-down map of the blocks around the bot, read from the chunks the bot has loaded (so it works
 * on the embedded world and on any server), with the bot and nearby mobs: what the dashboard's world
 * map draws. The dashboard asks the environment for it here and never touches mineflayer itself.
 *
 * Each cell is the highest non-air block of its column within `depth` blocks above and below the bot
 * (columns in unloaded chunks read as air). Blocks are palette indices, so a frame stays small.
 *
 * @example
 *   const map = topDownMap(env, { radius: 16 });   // { origin, cells[33][33], palette, bot, mobs }
 *   const stop = streamTopDownMap(env, (m) => hub.map({ agent: 'bot', ...m }), { watched: () => hub.watchers > 0 });
 */
import type { MinecraftEnvironment } from './environment.js';

export interface TopDownMap {
  origin: { x: number; z: number };
  cells: number[][];
  palette: string[];
  bot: { x: number; z: number; yaw?: number };
  mobs: { name: string; x: number; z: number; hostile?: boolean }[];
}

const AIRS = new Set(['air', 'cave_air', 'void_air']);

export function topDownMap(env: Pick<MinecraftEnvironment, 'bot'>, options: { radius?: number; depth?: number } = {}): TopDownMap | null {
  let bot;
  try {
    bot = env.bot;
  } catch {
    return null; // not connected (reconnecting): no frame
  }
  const pos = bot.entity?.position;
  if (!pos) return null;
  const radius = options.radius ?? 20;
  const depth = options.depth ?? 12;
  const bx = Math.floor(pos.x);
  const by = Math.floor(pos.y);
  const bz = Math.floor(pos.z);
  const palette: string[] = ['air'];
  const index = new Map<string, number>([['air', 0]]);
  const cells: number[][] = [];
  const at = pos.clone();
  for (let dz = -radius; dz <= radius; dz++) {
    const row: number[] = [];
    for (let dx = -radius; dx <= radius; dx++) {
      let name = 'air';
      for (let dy = depth; dy >= -depth; dy--) {
        at.set(bx + dx, by + dy, bz + dz);
        const block = bot.blockAt(at, false);
        if (block && !AIRS.has(block.name)) {
          name = block.name;
          break;
        }
      }
      let i = index.get(name);
      if (i === undefined) {
        i = palette.length;
        palette.push(name);
        index.set(name, i);
      }
      row.push(i);
    }
    cells.push(row);
  }
  const mobs: TopDownMap['mobs'] = [];
  for (const e of Object.values(bot.entities)) {
    const type = String(e.type);
    if (e === bot.entity || !['mob', 'hostile', 'animal', 'passive', 'player'].includes(type)) continue;
    const p = e.position;
    if (Math.abs(p.x - bx) > radius || Math.abs(p.z - bz) > radius) continue;
    const hostile = type === 'hostile' || /hostile/i.test(String((e as { kind?: string }).kind ?? ''));
    mobs.push({ name: e.name ?? e.username ?? type, x: p.x, z: p.z, ...(hostile ? { hostile } : {}) });
  }
  return { origin: { x: bx - radius, z: bz - radius }, cells, palette, bot: { x: pos.x, z: pos.z, yaw: bot.entity.yaw }, mobs };
}

/** Send a fresh map every `everyMs` while `watched()` says someone looks. Returns the stopper. */
export function streamTopDownMap(
  env: Pick<MinecraftEnvironment, 'bot'>,
  send: (map: TopDownMap) => void,
  options: { watched: () => boolean; everyMs?: number; radius?: number },
): () => void {
  const timer = setInterval(() => {
    if (!options.watched()) return;
    const map = topDownMap(env, { radius: options.radius });
    if (map) send(map);
  }, options.everyMs ?? 2000);
  timer.unref();
  return () => clearInterval(timer);
}
