/**
 * Contents of container blocks (chests, furnaces) for flying-squid, which keeps no block entities.
 * Contents live per block position while the server runs, are saved as JSON in the world folder
 * (`skillforge-containers.json`) so they survive a restart, drop as items when the block is dug, and
 * vanish when the block is replaced by other means (/setblock), closing the windows that show them.
 *
 * @example
 * const entry = containersOf(serv).get(player.world, position, 'chest', 27);
 * windowsOf(player).open(new ChestMenu(entry), { translate: 'container.chest' });
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Vec3 } from 'vec3';
import {
  SharedSlots,
  StoreMenu,
  type Menu,
  dropItems,
  itemClass,
  shared,
  vec3,
  whenReady,
  type SquidPlayer,
  type SquidPlugin,
  type SquidServer,
  type Stack,
} from './windows.js';

/** One container block: where it is, what it holds, and free-form numbers (furnace timers). */
export interface ContainerEntry {
  key: string;
  kind: string;
  /** Name of the block that holds it; the entry dies when another block takes its place. */
  blockName: string;
  dimension: string;
  position: { x: number; y: number; z: number };
  slots: SharedSlots;
  data: Record<string, number>;
  /** Windows currently showing this container. */
  menus: Set<Menu>;
}

/** A window over a container block; closes when the block goes away or the player walks off. */
export abstract class ContainerMenu extends StoreMenu {
  constructor(readonly entry: ContainerEntry) {
    super(entry.slots);
  }
  override attach(): void {
    super.attach();
    this.entry.menus.add(this);
  }
  override onClose(player: SquidPlayer): void {
    super.onClose(player);
    this.entry.menus.delete(this);
  }
}

interface SavedItem {
  name: string;
  count: number;
  nbt?: unknown;
}
interface SavedEntry {
  key: string;
  kind: string;
  blockName: string;
  dimension: string;
  position: { x: number; y: number; z: number };
  slots: Array<SavedItem | null>;
  data: Record<string, number>;
}


/** All container blocks of one server. */
export class BlockContainers {
  private readonly entries = new Map<string, ContainerEntry>();
  private saveTimer: NodeJS.Timeout | null = null;
  private readonly file: string | null;

  constructor(
    private readonly serv: SquidServer,
    worldFolder?: string,
  ) {
    this.file = worldFolder ? join(worldFolder, 'skillforge-containers.json') : null;
    this.load();
  }

  static keyOf(dimension: string, p: { x: number; y: number; z: number }): string {
    return `${dimension}:${Math.floor(p.x)},${Math.floor(p.y)},${Math.floor(p.z)}`;
  }

  dimensionOf(world: unknown): string {
    return world === this.serv.netherworld ? 'nether' : 'overworld';
  }
  worldOf(dimension: string): any {
    return dimension === 'nether' ? this.serv.netherworld : this.serv.overworld;
  }

  /** The container at a position, created empty with `size` slots when there is none. */
  get(world: unknown, position: Vec3, kind: string, size: number, blockName = kind): ContainerEntry {
    const dimension = this.dimensionOf(world);
    const key = BlockContainers.keyOf(dimension, position);
    let entry = this.entries.get(key);
    if (entry && (entry.kind !== kind || entry.slots.slots.length !== size)) {
      this.remove(key, false);
      entry = undefined;
    }
    if (!entry) {
      const p = { x: Math.floor(position.x), y: Math.floor(position.y), z: Math.floor(position.z) };
      entry = this.create(key, kind, blockName, dimension, p, size, {});
    }
    return entry;
  }

  /** A container that is not tied to a block (ender chests: one per player). */
  getVirtual(key: string, kind: string, size: number): ContainerEntry {
    return this.entries.get(key) ?? this.create(key, kind, '', 'virtual', { x: 0, y: 0, z: 0 }, size, {});
  }

  peek(world: unknown, position: Vec3): ContainerEntry | undefined {
    return this.entries.get(BlockContainers.keyOf(this.dimensionOf(world), position));
  }

  all(kind?: string): ContainerEntry[] {
    return [...this.entries.values()].filter((e) => !kind || e.kind === kind);
  }

  private create(key: string, kind: string, blockName: string, dimension: string, position: ContainerEntry['position'], size: number, data: Record<string, number>): ContainerEntry {
    const entry: ContainerEntry = { key, kind, blockName, dimension, position, slots: new SharedSlots(size), data, menus: new Set() };
    entry.slots.subscribe(() => this.scheduleSave());
    this.entries.set(key, entry);
    return entry;
  }

  /** Forget a container: close its windows, and drop its items into the world when `drop`. */
  remove(key: string, drop: boolean): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const menu of [...entry.menus]) menu.viewer?.close();
    if (drop) {
      const world = this.worldOf(entry.dimension);
      const at = vec3(entry.position.x + 0.5, entry.position.y + 0.5, entry.position.z + 0.5);
      for (const item of entry.slots.slots) if (item) dropItems(this.serv, world, at, item);
    }
    this.scheduleSave();
  }

  // ------------------------------------------------------------ persistence

  private scheduleSave(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.save();
    }, 1000);
    this.saveTimer.unref();
  }

  /** Write every container to the world folder now. */
  save(): void {
    if (!this.file) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const out: SavedEntry[] = [];
    for (const e of this.entries.values()) {
      out.push({
        key: e.key,
        kind: e.kind,
        blockName: e.blockName,
        dimension: e.dimension,
        position: e.position,
        data: e.data,
        slots: e.slots.slots.map((it) => (it ? { name: it.name, count: it.count, ...(it.nbt ? { nbt: it.nbt } : {}) } : null)),
      });
    }
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ version: 1, containers: out }));
      renameSync(tmp, this.file);
    } catch (err) {
      // The world folder may be gone (a throw-away world after stop): never crash the host for it.
      this.serv.warn?.(`could not save containers to ${this.file}: ${(err as Error).message}`);
    }
  }

  private load(): void {
    if (!this.file || !existsSync(this.file)) return;
    let parsed: { containers?: SavedEntry[] };
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      this.serv.warn?.(`ignoring unreadable ${this.file}: ${(err as Error).message}`);
      return;
    }
    const Item = itemClass(this.serv);
    for (const s of parsed.containers ?? []) {
      if (!s || typeof s.kind !== 'string' || !Array.isArray(s.slots) || !s.position) continue;
      const key = s.dimension === 'virtual' ? String(s.key) : BlockContainers.keyOf(s.dimension, s.position);
      const entry = this.create(key, s.kind, s.blockName, s.dimension, s.position, s.slots.length, { ...(s.data ?? {}) });
      s.slots.forEach((it, i) => {
        const def = it ? this.serv.registry.itemsByName[it.name] : null;
        if (it && def && it.count > 0) entry.slots.slots[i] = Object.assign(new Item(def.id, it.count, undefined, (it.nbt ?? undefined) as never), { slot: i });
      });
    }
  }
}


/** The container registry of a server, created on first use with persistence in `worldFolder`. */
export function containersOf(serv: SquidServer, settings?: { worldFolder?: string }): BlockContainers {
  let fresh = false;
  const reg = shared(serv, 'containers', () => {
    fresh = true;
    return new BlockContainers(serv, settings?.worldFolder);
  });
  if (fresh) installHooks(serv, reg);
  return reg;
}

function installHooks(serv: SquidServer, reg: BlockContainers): void {
  serv.on('close', () => reg.save());
  const watchPlayer = (player: SquidPlayer) => {
    // Digging a container drops what it held, like vanilla.
    player.on('dug_done', (data: { position: Vec3 }, cancelled: boolean) => {
      if (cancelled) return;
      const entry = reg.peek(player.world, data.position);
      if (entry) reg.remove(entry.key, true);
    });
  };
  for (const p of serv.players) watchPlayer(p);
  serv.on('newPlayer', watchPlayer);
  whenReady(serv, () => {
    // Any other way a container block disappears (/setblock, plugins) throws its contents away.
    const original = serv.setBlock as (world: unknown, position: Vec3, stateId: number) => Promise<void>;
    serv.setBlock = async (world: unknown, position: Vec3, stateId: number) => {
      const entry = reg.peek(world, position);
      if (entry && serv.registry.blocksByStateId[stateId]?.name !== entry.blockName) reg.remove(entry.key, false);
      return original(world, position, stateId);
    };
  });
}

/** Read the slots of a container at a position (for tests and observations). */
export function containerItems(serv: SquidServer, world: unknown, position: Vec3): Stack[] {
  return reg(serv).peek(world, position)?.slots.slots.slice() ?? [];
}
function reg(serv: SquidServer): BlockContainers {
  return containersOf(serv);
}

/** Plugin form, so the registry (and its save file) exists even before any container is opened. */
const containersPlugin: SquidPlugin = {
  server(serv, settings) {
    containersOf(serv, settings);
  },
};
export default containersPlugin;
