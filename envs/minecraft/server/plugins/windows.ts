/**
 * Server-side container windows for flying-squid, shared by the crafting, furnace and chest plugins.
 *
 * flying-squid 1.12 applies every `window_click` to the player inventory whatever window it names and
 * never answers with the 1.16 `transaction` packet, so clients wait and fail. This module takes over:
 * the server is authoritative (vanilla click rules: pickup, quick move, hotbar swap, throw, drag,
 * double click), answers every click, and sends `set_slot` only where the client's own prediction
 * (prismarine-windows, the library mineflayer uses) would be wrong. Echoing slots the client already
 * predicted would race with its next click, which is why vanilla does not do it either.
 *
 * @example
 * // in a flying-squid plugin:
 * const windows = windowsOf(player); // installs the window manager on first use
 * windows.open(new ChestMenu(store));
 */
import { createRequire } from 'node:module';
import type { Item } from 'prismarine-item';
import type { Vec3 } from 'vec3';
import type { SquidPlugin } from '../plugin.js';

// CommonJS libraries whose typings declare an ES default export: load them the CommonJS way.
const require = createRequire(import.meta.url);
const itemLoader: typeof import('prismarine-item').default = require('prismarine-item');
const windowsLoader: (registry: unknown) => any = require('prismarine-windows');
const { Vec3: Vec3Class }: typeof import('vec3') = require('vec3');

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The parts of a flying-squid server this code uses (flying-squid ships no types). */
export interface SquidServer {
  registry: any;
  players: SquidPlayer[];
  pluginsReady?: boolean;
  tickCount: number;
  supportFeature(name: string): boolean;
  on(event: string, fn: (...args: any[]) => void): unknown;
  once(event: string, fn: (...args: any[]) => void): unknown;
  removeListener(event: string, fn: (...args: any[]) => void): unknown;
  [key: string]: any;
}
/** The parts of a flying-squid player this code uses. */
export interface SquidPlayer {
  _client: any;
  inventory: any;
  world: any;
  position: Vec3;
  heldItemSlot: number;
  gameMode: number;
  username: string;
  uuid: string;
  id: number;
  [key: string]: any;
}
export type Stack = Item | null;

/** The flying-squid plugin shape shared by all world plugins (see ../plugin.ts). */
export type { SquidPlugin } from '../plugin.js';

/** Player inventory slot of window 0 where the 27 main slots start; the hotbar follows at 36. */
const INV_MAIN = 9;
const INV_SLOTS = 36;
/** Vanilla pickup delay of items a player throws: 40 ticks. */
const THROWN_PICKUP_MS = 2000;
const OFFHAND = 45;

// ---------------------------------------------------------------- items

const itemClasses = new WeakMap<object, typeof Item>();
/** The prismarine-item class for a server's registry. */
export function itemClass(serv: SquidServer): typeof Item {
  let cls = itemClasses.get(serv.registry);
  if (!cls) {
    cls = itemLoader(serv.registry);
    itemClasses.set(serv.registry, cls);
  }
  return cls;
}

/** True when both stacks are empty or hold the same item with the same count and NBT. */
export function sameStack(a: Stack, b: Stack): boolean {
  if (!a || !b) return !a && !b;
  return a.type === b.type && a.count === b.count && sameKind(a, b);
}
/** True when two items would stack together (type, metadata, NBT), ignoring counts. */
export function sameKind(a: Stack, b: Stack): boolean {
  if (!a || !b) return false;
  return a.type === b.type && (a.metadata ?? 0) === (b.metadata ?? 0) && JSON.stringify(a.nbt ?? null) === JSON.stringify(b.nbt ?? null);
}
/** A vec3 Vec3 (loaded the CommonJS way, like flying-squid does). */
export function vec3(x: number, y: number, z: number): Vec3 {
  return new Vec3Class(x, y, z);
}
/** A copy of `item` with `count` items (null when count is 0). */
export function withCount(serv: SquidServer, item: Item, count: number): Stack {
  if (count <= 0) return null;
  const Cls = itemClass(serv);
  const copy = new Cls(item.type, count, item.metadata, item.nbt ?? undefined);
  return copy;
}
export function cloneStack(serv: SquidServer, item: Stack): Stack {
  return item ? withCount(serv, item, item.count) : null;
}
function toNotch(serv: SquidServer, item: Stack): object {
  return itemClass(serv).toNotch(item);
}

// ---------------------------------------------------------------- menus

/** How a slot of a menu behaves. */
export interface SlotRule {
  /** Items the client may put here (default: anything). */
  mayPlace?(item: Item): boolean;
  /** Largest stack allowed (default: the item's stack size). */
  maxStack?: number;
  /** A result slot: nothing may be placed; `takeAll` slots give the whole stack on any click. */
  output?: { takeAll: boolean };
}

/** A window's slots as the server sees them. Slots past `containerSize` are the player's inventory. */
export abstract class Menu {
  /** Window id on the wire; 0 for the player inventory. */
  id = 0;
  abstract readonly typeName: string;
  abstract readonly containerSize: number;
  /** Set while a window manager shows this menu. */
  viewer: PlayerWindows | null = null;
  /**
   * The block this window belongs to: the window closes when that block is gone or the player is
   * more than 8 blocks from it, or in another world (vanilla's "still valid" rule).
   */
  anchor: { world: unknown; position: Vec3; blockNames: string[] } | null = null;

  get size(): number {
    return this.containerSize + INV_SLOTS;
  }
  abstract getContainer(slot: number): Stack;
  abstract setContainer(slot: number, item: Stack): void;
  rule(_slot: number): SlotRule {
    return {};
  }
  /** Called after the player removed items from an output slot (consume ingredients, grant XP). */
  onTake(_slot: number, _taken: Item, _player: SquidPlayer): void {}
  /** Called after every click, to recompute crafting results and the like. */
  afterClick(): void {}
  /** Called when the window opens, after `viewer` and `id` are set (start listening to storage). */
  attach(): void {}
  /** Called once when the window closes, from either side. */
  onClose(_player: SquidPlayer): void {}
  /** Where a shift-click on `slot` may move items to, in order: [start, end, reverse]. */
  abstract quickMoveTargets(slot: number, item: Item): Array<[number, number, boolean]>;
  /** Window-property values to send on open (furnace progress). */
  properties(): number[] {
    return [];
  }

  /** Player-inventory slot (window 0 numbering) shown at `slot`, or -1 for a container slot. */
  inventorySlotOf(slot: number): number {
    return slot >= this.containerSize && slot < this.size ? INV_MAIN + (slot - this.containerSize) : -1;
  }
}

/** Slot access that routes the player part to `player.inventory`. */
function getSlot(menu: Menu, player: SquidPlayer, slot: number): Stack {
  const inv = menu.inventorySlotOf(slot);
  return (inv >= 0 ? player.inventory.slots[inv] : menu.getContainer(slot)) ?? null;
}
function setSlot(menu: Menu, player: SquidPlayer, slot: number, item: Stack): void {
  if (item && item.count <= 0) item = null;
  const inv = menu.inventorySlotOf(slot);
  if (inv >= 0) player.inventory.updateSlot(inv, item);
  else menu.setContainer(slot, item);
}

const ARMOR_SLOT_BY_SUFFIX: Array<[RegExp, number]> = [
  [/(_helmet|^carved_pumpkin|_head|_skull)$/, 5],
  [/(_chestplate|^elytra)$/, 6],
  [/_leggings$/, 7],
  [/_boots$/, 8],
];
/** Window-0 armor slot (5..8) an item belongs in, or -1. */
export function armorSlotFor(item: Item): number {
  for (const [re, slot] of ARMOR_SLOT_BY_SUFFIX) if (re.test(item.name)) return slot;
  return -1;
}

/**
 * Window 0: the player's own inventory with its 2×2 crafting grid. Every slot lives in
 * `player.inventory` (0 result, 1-4 grid, 5-8 armor, 9-35 main, 36-44 hotbar, 45 offhand).
 */
export class InventoryMenu extends Menu {
  readonly typeName = 'minecraft:inventory';
  readonly containerSize = 9;
  /** Installed by the crafting plugin: recompute slot 0 from slots 1-4 and consume on take. */
  crafting: { update(menu: InventoryMenu): void; take(menu: InventoryMenu, taken: Item): void } | null = null;
  constructor(
    readonly player: SquidPlayer,
    readonly serv: SquidServer,
  ) {
    super();
  }
  override get size(): number {
    return 46;
  }
  getContainer(slot: number): Stack {
    return this.player.inventory.slots[slot] ?? null;
  }
  setContainer(slot: number, item: Stack): void {
    this.player.inventory.updateSlot(slot, item);
  }
  override inventorySlotOf(slot: number): number {
    return slot >= 0 && slot < 46 ? slot : -1;
  }
  override rule(slot: number): SlotRule {
    if (slot === 0) return { output: { takeAll: true } };
    if (slot >= 5 && slot <= 8) return { maxStack: 1, mayPlace: (it) => armorSlotFor(it) === slot };
    return {};
  }
  override onTake(slot: number, taken: Item): void {
    if (slot === 0) this.crafting?.take(this, taken);
  }
  override afterClick(): void {
    this.crafting?.update(this);
  }
  quickMoveTargets(slot: number, item: Item): Array<[number, number, boolean]> {
    if (slot === 0) return [[9, 45, true]];
    if (slot < 9) return [[9, 45, false]];
    const armor = armorSlotFor(item);
    const out: Array<[number, number, boolean]> = [];
    if (armor >= 0 && !this.player.inventory.slots[armor]) out.push([armor, armor + 1, false]);
    if (slot === OFFHAND) out.push([9, 45, false]);
    else if (slot < 36) out.push([36, 45, false]);
    else out.push([9, 36, false]);
    return out;
  }
  override onClose(player: SquidPlayer): void {
    // Vanilla gives the 2×2 grid back when the inventory screen closes.
    for (let s = 1; s <= 4; s++) {
      const it = this.getContainer(s);
      if (it) {
        this.setContainer(s, null);
        giveOrDrop(this.serv, player, it);
      }
    }
    this.crafting?.update(this);
  }
}

/** A container slot array that several open windows may show at once (chest, furnace). */
export class SharedSlots {
  readonly slots: Stack[];
  private readonly listeners = new Set<(slot: number) => void>();
  constructor(size: number) {
    this.slots = new Array<Stack>(size).fill(null);
  }
  get(slot: number): Stack {
    return this.slots[slot] ?? null;
  }
  set(slot: number, item: Stack): void {
    if (item && item.count <= 0) item = null;
    if (item) item.slot = slot;
    this.slots[slot] = item;
    for (const fn of this.listeners) fn(slot);
  }
  subscribe(fn: (slot: number) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  get viewerCount(): number {
    return this.listeners.size;
  }
}

/** A menu over a `SharedSlots` store; keeps every other viewer of the store up to date. */
export abstract class StoreMenu extends Menu {
  private unsubscribe: (() => void) | null = null;
  constructor(readonly store: SharedSlots) {
    super();
  }
  get containerSize(): number {
    return this.store.slots.length;
  }
  getContainer(slot: number): Stack {
    return this.store.get(slot);
  }
  setContainer(slot: number, item: Stack): void {
    this.store.set(slot, item);
  }
  override attach(): void {
    this.unsubscribe ??= this.store.subscribe((slot) => this.viewer?.containerSlotChanged(this, slot));
  }
  override onClose(_player: SquidPlayer): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}

// ---------------------------------------------------------------- giving items back

/** Put `item` into the player's inventory (stacking first, hotbar first) and drop what does not fit. */
export function giveOrDrop(serv: SquidServer, player: SquidPlayer, item: Item): void {
  let left = item.count;
  const inv = player.inventory;
  const order = [...range(36, 45), ...range(9, 36)];
  for (const s of order) {
    const cur = inv.slots[s] as Stack;
    if (left > 0 && cur && sameKind(cur, item) && cur.count < cur.stackSize) {
      const n = Math.min(left, cur.stackSize - cur.count);
      cur.count += n;
      left -= n;
      inv.updateSlot(s, cur);
    }
  }
  for (const s of order) {
    if (left > 0 && !inv.slots[s]) {
      const n = Math.min(left, item.stackSize);
      inv.updateSlot(s, withCount(serv, item, n));
      left -= n;
    }
  }
  if (left > 0) dropItems(serv, player.world, player.position.offset(0, 1.3, 0), item, left);
}

/**
 * Spawn `count` item entities (flying-squid item entities hold one item each). `pickupMs` is how long
 * before they can be picked up: vanilla uses 2 s for items a player throws, 0.5 s for spilled ones.
 */
export function dropItems(serv: SquidServer, world: any, position: Vec3, item: Item, count = item.count, pickupMs = 500): void {
  const entity = serv.registry.entitiesByName.item;
  for (let i = 0; i < Math.min(count, 64 * 9); i++) {
    serv.spawnObject(entity.id, world, position, {
      velocity: new Vec3Class(Math.random() * 2 - 1, 2, Math.random() * 2 - 1),
      itemId: item.type,
      itemDamage: item.metadata ?? 0,
      pickupTime: pickupMs,
      deathTime: 60 * 5 * 1000,
    });
  }
}

/** Stands for "the client's cursor is unknown", so the next cursor update is always sent. */
const UNKNOWN = { type: -1, count: -1 } as unknown as Item;

function* range(start: number, end: number): Generator<number> {
  for (let i = start; i < end; i++) yield i;
}

// ---------------------------------------------------------------- per-player window manager

interface ClickPacket {
  windowId: number;
  slot: number;
  mouseButton: number;
  action: number;
  mode: number;
  item: unknown;
}

/**
 * Per-object state lives under global symbols on the server and player objects rather than in module
 * variables: the world loads plugin files by path while tests and other code import them by module
 * name, which can give two copies of a module, and there must still be exactly one window manager.
 */
export function shared<T>(owner: object, name: string, create: () => T): T {
  const key = Symbol.for(`skillforge.${name}`);
  const bag = owner as Record<symbol, T | undefined>;
  let value = bag[key];
  if (value === undefined) {
    value = create();
    Object.defineProperty(owner, key, { value, enumerable: false, configurable: true });
  }
  return value;
}

/**
 * The window manager of a player, installed on first use. Call from a plugin's `player` hook or later;
 * it takes over window clicks from flying-squid's inventory plugin once that plugin has run.
 */
export function windowsOf(player: SquidPlayer, serv?: SquidServer): PlayerWindows {
  return shared(player, 'windows', () => {
    const s = serv ?? (player._serv as SquidServer);
    if (!s) throw new Error('windowsOf: pass the server on first use');
    shared(s, 'windowValidity', () => {
      s.on('tick', (_delta: number, count: number) => {
        if (count % 10 === 0) for (const p of s.players) void checkStillValid(p);
      });
      return true;
    });
    return new PlayerWindows(player, s);
  });
}

const MAX_USE_DISTANCE_SQ = 8 * 8;

/** Close a player's window whose block went away or that they walked away from. */
async function checkStillValid(player: SquidPlayer): Promise<void> {
  const windows = (player as unknown as Record<symbol, PlayerWindows | undefined>)[Symbol.for('skillforge.windows')];
  const menu = windows?.current;
  const anchor = menu?.anchor;
  if (!windows || !menu || !anchor) return;
  const pos = player.position;
  const c = anchor.position;
  const d2 = (pos.x - (c.x + 0.5)) ** 2 + (pos.y - (c.y + 0.5)) ** 2 + (pos.z - (c.z + 0.5)) ** 2;
  let valid = player.world === anchor.world && d2 <= MAX_USE_DISTANCE_SQ;
  if (valid) {
    const block = await (anchor.world as any).getBlock(anchor.position).catch(() => null);
    valid = !!block && anchor.blockNames.includes(block.name);
  }
  if (!valid && windows.current === menu) windows.close();
}

/** Everything one player sees of windows: their inventory (id 0) and at most one open container. */
export class PlayerWindows {
  readonly inventory: InventoryMenu;
  current: Menu | null = null;
  /** What the server holds on the cursor (vanilla "carried" item). */
  cursor: Stack = null;
  /** What we believe the client shows, per window; kept in step with every packet we send. */
  private view0: Stack[] = new Array<Stack>(46).fill(null);
  private viewC: Stack[] = [];
  private viewCursor: Stack = null;
  /** True while a click is applied: changes are diffed against the client's prediction afterwards. */
  private quiet = false;
  private nextId = 0;
  private drag: { button: number; slots: number[] } | null = null;
  /** Inventory slots (window-0 numbers) sent to the open container outside the player's own clicks. */
  private readonly pushedWhileOpen = new Set<number>();
  private installed = false;
  private gone = false;
  private readonly windowsLib: any;

  constructor(
    readonly player: SquidPlayer,
    readonly serv: SquidServer,
  ) {
    player._serv = serv;
    this.inventory = new InventoryMenu(player, serv);
    this.windowsLib = windowsLoader(serv.registry);
    if (player.inventory) this.install();
    else player.once('asap', () => this.install());
  }

  /** Replace flying-squid's click and slot-sync listeners with ours (idempotent). */
  install(): void {
    if (this.installed) return;
    if (!this.player.inventory) throw new Error('flying-squid inventory plugin has not run for this player');
    this.installed = true;
    const client = this.player._client;
    for (const fn of client.listeners('window_click') as Array<(...a: any[]) => void>) {
      if (String(fn).includes('acceptClick')) client.removeListener('window_click', fn);
    }
    const inv = this.player.inventory;
    for (const fn of inv.listeners('updateSlot') as Array<(...a: any[]) => void>) {
      if (String(fn).includes("'set_slot'")) inv.removeListener('updateSlot', fn);
    }
    for (let i = 0; i < 46; i++) this.view0[i] = cloneStack(this.serv, inv.slots[i] ?? null);
    inv.on('updateSlot', (slot: number, _old: Stack, item: Stack) => this.inventorySlotChanged(slot, item));
    this.player.collect = (entity: any) => this.safe(() => this.collect(entity));
    client.on('window_click', (p: ClickPacket) => this.safe(() => this.onClick(p)));
    client.on('close_window', (p: { windowId: number }) => this.safe(() => this.onClientClose(p.windowId)));
    client.on('transaction', () => {}); // the client's apology for a rejected click: nothing to do
    // Before flying-squid saves the player on disconnect: give back the cursor, the grids and any
    // open window's crafting slots, as vanilla does, so nothing is lost with the connection.
    client.prependListener('end', () =>
      this.safe(() => {
        this.gone = true;
        if (this.current) this.closeCurrent(true);
        this.returnCursor();
        this.inventory.onClose(this.player);
      }),
    );
  }

  /**
   * Pick up an item entity. flying-squid stacks it onto the first matching slot of all 46, crafting
   * grid and result included, where mineflayer's inventory.items() never sees it (a log left in the
   * grid swallowed every later log). Vanilla only fills the hotbar, main rows and offhand.
   */
  private collect(entity: any): void {
    const inv = this.player.inventory;
    const template = new (itemClass(this.serv))(entity.itemId, 1, entity.damage ?? entity.itemDamage ?? 0);
    const hotbarThenMain = [...range(36, 45), ...range(INV_MAIN, 36)];
    let slot = [...hotbarThenMain, OFFHAND].find((s) => {
      const cur = inv.slots[s] as Stack;
      return !!cur && sameKind(cur, template) && cur.count < cur.stackSize;
    });
    let item: Stack;
    if (slot !== undefined) item = withCount(this.serv, inv.slots[slot], inv.slots[slot].count + 1);
    else {
      slot = hotbarThenMain.find((s) => !inv.slots[s]);
      if (slot === undefined) return; // full: the item stays on the ground
      item = template;
    }
    entity._writeOthersNearby('collect', { collectedEntityId: entity.id, collectorEntityId: this.player.id });
    this.player.playSoundAtSelf?.('random.pop');
    inv.updateSlot(slot, item);
    entity.destroy();
  }

  /** Write a packet unless the client has gone. */
  private send(name: string, params: object): void {
    if (this.gone) return;
    this.player._client.write(name, params);
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.quiet = false;
      this.serv.emit('error', err);
    }
  }

  // ---------------------------------------------------------------- open / close

  /** Show `menu` to the player, closing any window they have open. */
  open(menu: Menu, title: object | string): void {
    if (this.current) this.closeCurrent(true);
    this.nextId = (this.nextId % 100) + 1;
    menu.id = this.nextId;
    menu.viewer = this;
    this.current = menu;
    this.pushedWhileOpen.clear();
    menu.attach();
    const type = this.windowsLib.windows[menu.typeName]?.type;
    if (typeof type !== 'number') throw new Error(`unknown window type ${menu.typeName}`);
    this.send('open_window', {
      windowId: menu.id,
      inventoryType: type,
      windowTitle: JSON.stringify(typeof title === 'string' ? { text: title } : title),
    });
    this.sendAll(menu);
    menu.properties().forEach((value, property) => this.sendProperty(menu, property, value));
  }

  /** Close the open container from the server side (block broken, player too far). */
  close(): void {
    if (!this.current) return;
    const id = this.current.id;
    this.closeCurrent(false);
    this.send('close_window', { windowId: id });
  }

  private onClientClose(windowId: number): void {
    if (windowId === 0) {
      this.returnCursor();
      this.inventory.onClose(this.player);
      return;
    }
    if (this.current && this.current.id === windowId) this.closeCurrent(true);
  }

  private closeCurrent(clientClosed: boolean): void {
    const menu = this.current!;
    this.current = null;
    menu.viewer = null;
    if (clientClosed) {
      // A client that closes a window copies that window's inventory rows into its inventory (mineflayer
      // does exactly this); when the server closes it, the client keeps its old copy.
      for (let k = 0; k < INV_SLOTS; k++) this.view0[INV_MAIN + k] = this.viewC[menu.containerSize + k] ?? null;
      // Except what we pushed into the window on our own (a pickup, /give): if the client had already
      // closed the window when that arrived, it dropped it. Send those slots again on window 0.
      for (const s of this.pushedWhileOpen) this.view0[s] = UNKNOWN;
    }
    this.pushedWhileOpen.clear();
    this.viewC = [];
    this.returnCursor();
    menu.onClose(this.player);
    this.syncInventory();
  }

  private returnCursor(): void {
    const carried = this.cursor;
    this.cursor = null;
    this.viewCursor = null;
    if (carried) giveOrDrop(this.serv, this.player, carried);
  }

  // ---------------------------------------------------------------- sending

  /** Send every slot of `menu` (window_items) and remember it as the client's view. */
  sendAll(menu: Menu): void {
    const items: Stack[] = [];
    for (let i = 0; i < menu.size; i++) items.push(getSlot(menu, this.player, i));
    this.send('window_items', { windowId: menu.id, items: items.map((it) => toNotch(this.serv, it)) });
    const view = items.map((it) => cloneStack(this.serv, it));
    if (menu.id === 0) this.view0 = view;
    else this.viewC = view;
    this.sendCursor();
  }

  private sendSlot(menu: Menu, slot: number, item: Stack): void {
    this.send('set_slot', { windowId: menu.id, slot, item: toNotch(this.serv, item) });
    (menu.id === 0 ? this.view0 : this.viewC)[slot] = cloneStack(this.serv, item);
  }

  private sendCursor(): void {
    if (sameStack(this.cursor, this.viewCursor)) return;
    this.send('set_slot', { windowId: -1, slot: -1, item: toNotch(this.serv, this.cursor) });
    this.viewCursor = cloneStack(this.serv, this.cursor);
  }

  /** Send a window property (furnace fuel and progress bars). */
  sendProperty(menu: Menu, property: number, value: number): void {
    if (this.current !== menu) return;
    this.send('craft_progress_bar', { windowId: menu.id, property, value });
  }

  /** Bring window 0 in step with the server (after a window closed). */
  private syncInventory(): void {
    for (let i = 0; i < 46; i++) {
      const item = this.player.inventory.slots[i] ?? null;
      if (!sameStack(item, this.view0[i])) this.sendSlot(this.inventory, i, item);
    }
  }

  private inventorySlotChanged(slot: number, item: Stack): void {
    this.sendEquipment(slot, item);
    if (this.quiet) return;
    const open = this.current;
    if (open && slot >= INV_MAIN && slot < INV_MAIN + INV_SLOTS) {
      this.sendSlot(open, open.containerSize + slot - INV_MAIN, item);
      this.pushedWhileOpen.add(slot);
    } else this.sendSlot(this.inventory, slot, item);
  }

  /** A container slot changed outside this player's click (furnace tick, another viewer). */
  containerSlotChanged(menu: Menu, slot: number): void {
    if (this.current !== menu || this.quiet) return;
    this.sendSlot(menu, slot, menu.getContainer(slot));
  }

  /** Show held item and armor to others, as flying-squid's inventory plugin did. */
  private sendEquipment(slot: number, item: Stack): void {
    const player = this.player;
    const map: Record<number, number> = { 5: 4, 6: 3, 7: 2, 8: 1 };
    map[36 + player.heldItemSlot] = 0;
    const equipmentSlot = map[slot];
    if (equipmentSlot === undefined || typeof player.setEquipment !== 'function') return;
    player.setEquipment(equipmentSlot, item);
    const notch = toNotch(this.serv, item);
    if (this.serv.supportFeature('allEntityEquipmentInOne')) {
      player._writeOthersNearby('entity_equipment', { entityId: player.id, equipments: [{ slot: equipmentSlot, item: notch }] });
    } else {
      player._writeOthersNearby('entity_equipment', { entityId: player.id, slot: equipmentSlot, item: notch });
    }
  }

  // ---------------------------------------------------------------- clicks

  private onClick(p: ClickPacket): void {
    const menu = p.windowId === 0 ? this.inventory : this.current && this.current.id === p.windowId ? this.current : null;
    if (!menu) {
      // A click for a window that is gone: refuse it so the client does not wait for an answer.
      this.send('transaction', { windowId: p.windowId, action: p.action, accepted: false });
      return;
    }
    const view = menu.id === 0 ? this.view0 : this.viewC;
    // Only the inventory window: there pickups race clicks, and our view of a container window's player
    // rows is not kept slot-exact (window 0 learns of their changes on close), so the check would
    // refuse good clicks there (chest deposits were refused every time).
    if (menu.id === 0 && this.clickedStale(menu, view, p)) {
      // A set_slot (an item picked up) crossed this click on the wire: the client computed it on an
      // older view. mineflayer applies an accepted click to the item it captured when it sent it, so
      // accepting would leave its cursor and slots different from ours for good (it ignores cursor
      // updates). Refuse it without touching anything, as vanilla refuses clicks whose item does not
      // match, and resend the window so the client can click again on the real contents.
      this.send('transaction', { windowId: p.windowId, action: p.action, accepted: false });
      this.viewCursor = UNKNOWN;
      this.sendAll(menu);
      return;
    }
    const predicted = this.predict(menu, view, p);
    const before = this.snapshot(menu);
    this.quiet = true;
    try {
      if (this.player.gameMode !== 3) this.apply(menu, p);
      menu.afterClick();
    } finally {
      this.quiet = false;
    }
    const after = this.snapshot(menu);
    const changed = !after.every((it, i) => sameStack(it, before[i]));
    const expected = predicted && !(predicted.slots.every((it, i) => sameStack(it, before[i])) && sameStack(predicted.cursor, before[menu.size]));
    if (!changed && expected) {
      // The server refused a click the client expected to work (a stone in a helmet slot). Rejecting
      // it keeps a client that applies clicks only on acceptance (mineflayer) exactly in step; the
      // window contents follow for clients that predicted it anyway (vanilla resyncs the same way).
      this.send('transaction', { windowId: p.windowId, action: p.action, accepted: false });
      this.viewCursor = UNKNOWN;
      this.sendAll(menu);
      return;
    }
    this.send('transaction', { windowId: p.windowId, action: p.action, accepted: true });
    if (!predicted) {
      // The client's own guess is unknown (drag, double click): resend the window and the cursor.
      this.viewCursor = UNKNOWN;
      this.sendAll(menu);
      return;
    }
    for (let i = 0; i < menu.size; i++) {
      const item = getSlot(menu, this.player, i);
      if (!sameStack(item, predicted.slots[i])) this.sendSlot(menu, i, item);
      else view[i] = cloneStack(this.serv, item);
    }
    this.viewCursor = predicted.cursor;
    this.sendCursor();
    // The player's inventory rows changed in the container window only; window 0 learns of it on close.
  }

  /**
   * True when the client says it clicked a different item than the one we last showed it in that slot.
   * Only pickup and shift clicks carry the item (mineflayer sends none for hotbar keys and throws).
   */
  private clickedStale(menu: Menu, view: Stack[], p: ClickPacket): boolean {
    if ((p.mode !== 0 && p.mode !== 1) || p.slot < 0 || p.slot >= menu.size || p.item === undefined) return false;
    let claimed: Stack;
    try {
      claimed = (itemClass(this.serv).fromNotch(p.item as never) as Stack) ?? null;
    } catch {
      return false;
    }
    // Vanilla 1.12-1.16.5 expects an empty item in a quick-move (shift) click, and mineflayer >= 4.39
    // sends one; older clients send the moved stack. An empty one claims nothing to check.
    if (p.mode === 1 && !claimed) return false;
    const shown = view[p.slot] ?? null;
    if (!claimed || !shown) return !!claimed !== !!shown;
    return claimed.type !== shown.type || claimed.count !== shown.count;
  }

  /** Copies of every slot of `menu`, then the cursor. */
  private snapshot(menu: Menu): Stack[] {
    const out: Stack[] = [];
    for (let i = 0; i < menu.size; i++) out.push(cloneStack(this.serv, getSlot(menu, this.player, i)));
    out.push(cloneStack(this.serv, this.cursor));
    return out;
  }

  /** What a prismarine-windows client will show after this click, or null when it cannot tell. */
  private predict(menu: Menu, view: Stack[], p: ClickPacket): { slots: Stack[]; cursor: Stack } | null {
    try {
      const win = this.windowsLib.createWindow(menu.id, menu.typeName, '', menu.size);
      if (!win) return null;
      for (let i = 0; i < menu.size; i++) {
        const it = cloneStack(this.serv, view[i] ?? null);
        if (it) it.slot = i;
        win.slots[i] = it;
      }
      win.selectedItem = cloneStack(this.serv, this.viewCursor);
      const item = p.slot >= 0 && p.slot < menu.size ? win.slots[p.slot] : null;
      win.acceptClick({ slot: p.slot, mouseButton: p.mouseButton, mode: p.mode, item });
      return { slots: win.slots as Stack[], cursor: cloneStack(this.serv, win.selectedItem) };
    } catch {
      return null;
    }
  }

  /** Vanilla click rules, applied to the server's slots. */
  private apply(menu: Menu, p: ClickPacket): void {
    const { slot, mouseButton: button, mode } = p;
    const valid = slot >= 0 && slot < menu.size;
    if (mode !== 5) this.drag = null;
    switch (mode) {
      case 0: // pickup
        if (slot === -999) {
          if (this.cursor) this.throwCursor(button === 0 ? this.cursor.count : 1);
        } else if (valid && button <= 1) this.pickup(menu, slot, button);
        return;
      case 1: // quick move
        if (valid) this.quickMove(menu, slot);
        return;
      case 2: // swap with hotbar button (0-8) or offhand (40)
        if (valid) this.swapHotbar(menu, slot, button);
        return;
      case 4: // throw
        if (valid && !this.cursor) this.throwFromSlot(menu, slot, button === 1);
        return;
      case 5:
        this.dragClick(menu, slot, button);
        return;
      case 6:
        if (valid) this.collectToCursor(menu, slot);
        return;
      default: // 3: middle click clones only in creative
        return;
    }
  }

  private maxFor(menu: Menu, slot: number, item: Item): number {
    return Math.min(item.stackSize, menu.rule(slot).maxStack ?? 64);
  }

  private mayPlace(menu: Menu, slot: number, item: Item): boolean {
    const rule = menu.rule(slot);
    return !rule.output && (rule.mayPlace ? rule.mayPlace(item) : true);
  }

  /** Remove up to `count` from an output slot, then let the menu react (consume ingredients). */
  private takeOutput(menu: Menu, slot: number, count: number): Stack {
    const item = getSlot(menu, this.player, slot);
    if (!item) return null;
    const rule = menu.rule(slot);
    const n = rule.output?.takeAll ? item.count : Math.min(count, item.count);
    const taken = withCount(this.serv, item, n)!;
    setSlot(menu, this.player, slot, withCount(this.serv, item, item.count - n));
    menu.onTake(slot, taken, this.player);
    return taken;
  }

  private pickup(menu: Menu, slot: number, button: number): void {
    const item = getSlot(menu, this.player, slot);
    const carried = this.cursor;
    const rule = menu.rule(slot);
    if (rule.output) {
      if (!item) return;
      if (!carried) {
        this.cursor = this.takeOutput(menu, slot, button === 0 ? item.count : Math.ceil(item.count / 2));
      } else if (sameKind(carried, item) && carried.count + (rule.output.takeAll ? item.count : 1) <= carried.stackSize) {
        const want = rule.output.takeAll ? item.count : Math.min(item.count, carried.stackSize - carried.count);
        const taken = this.takeOutput(menu, slot, want);
        if (taken) this.cursor = withCount(this.serv, carried, carried.count + taken.count);
      }
      return;
    }
    if (!carried) {
      if (!item) return;
      const n = button === 0 ? item.count : Math.ceil(item.count / 2);
      this.cursor = withCount(this.serv, item, n);
      setSlot(menu, this.player, slot, withCount(this.serv, item, item.count - n));
      return;
    }
    if (!this.mayPlace(menu, slot, carried)) return;
    const max = this.maxFor(menu, slot, carried);
    if (!item) {
      const n = Math.min(button === 0 ? carried.count : 1, max);
      setSlot(menu, this.player, slot, withCount(this.serv, carried, n));
      this.cursor = withCount(this.serv, carried, carried.count - n);
    } else if (sameKind(item, carried)) {
      const n = Math.max(0, Math.min(button === 0 ? carried.count : 1, max - item.count));
      if (n === 0) return;
      setSlot(menu, this.player, slot, withCount(this.serv, item, item.count + n));
      this.cursor = withCount(this.serv, carried, carried.count - n);
    } else if (carried.count <= max) {
      setSlot(menu, this.player, slot, cloneStack(this.serv, carried));
      this.cursor = cloneStack(this.serv, item);
    }
  }

  /** Move `item` into slots [start, end) of `menu`: first onto matching stacks, then into empty slots. */
  private moveInto(menu: Menu, item: Item, start: number, end: number, reverse: boolean): number {
    let left = item.count;
    const order = reverse ? [...range(start, end)].reverse() : [...range(start, end)];
    for (const s of order) {
      if (left === 0) break;
      const cur = getSlot(menu, this.player, s);
      if (!cur || !sameKind(cur, item) || !this.mayPlace(menu, s, item)) continue;
      const n = Math.min(left, this.maxFor(menu, s, cur) - cur.count);
      if (n <= 0) continue;
      setSlot(menu, this.player, s, withCount(this.serv, cur, cur.count + n));
      left -= n;
    }
    for (const s of order) {
      if (left === 0) break;
      if (getSlot(menu, this.player, s) || !this.mayPlace(menu, s, item)) continue;
      const n = Math.min(left, this.maxFor(menu, s, item));
      setSlot(menu, this.player, s, withCount(this.serv, item, n));
      left -= n;
    }
    return item.count - left;
  }

  private fits(menu: Menu, item: Item, targets: Array<[number, number, boolean]>): boolean {
    let room = 0;
    for (const [start, end] of targets) {
      for (const s of range(start, end)) {
        const cur = getSlot(menu, this.player, s);
        if (!this.mayPlace(menu, s, item)) continue;
        if (!cur) room += this.maxFor(menu, s, item);
        else if (sameKind(cur, item)) room += Math.max(0, this.maxFor(menu, s, cur) - cur.count);
      }
    }
    return room >= item.count;
  }

  private quickMove(menu: Menu, slot: number): void {
    const first = getSlot(menu, this.player, slot);
    if (!first) return;
    if (menu.rule(slot).output) {
      // Shift-click on a result: keep crafting while the same result comes back and fits (vanilla).
      for (let guard = 0; guard < 64 * 36; guard++) {
        const item = getSlot(menu, this.player, slot);
        if (!item || !sameKind(item, first)) return;
        const targets = menu.quickMoveTargets(slot, item);
        if (!this.fits(menu, item, targets)) return;
        const taken = this.takeOutput(menu, slot, item.count);
        if (!taken) return;
        let left = taken;
        for (const [start, end, reverse] of targets) {
          const moved = this.moveInto(menu, left, start, end, reverse);
          left = withCount(this.serv, left, left.count - moved)!;
          if (!left) break;
        }
        menu.afterClick();
      }
      return;
    }
    let left: Stack = first;
    for (const [start, end, reverse] of menu.quickMoveTargets(slot, first)) {
      const moved = this.moveInto(menu, left, start, end, reverse);
      left = withCount(this.serv, left, left.count - moved);
      if (!left) break;
    }
    setSlot(menu, this.player, slot, left);
  }

  private swapHotbar(menu: Menu, slot: number, button: number): void {
    const invSlot = button === 40 ? OFFHAND : button >= 0 && button <= 8 ? 36 + button : -1;
    if (invSlot < 0 || this.cursor) return;
    const inv = this.player.inventory;
    const hot: Stack = inv.slots[invSlot] ?? null;
    const item = getSlot(menu, this.player, slot);
    if (menu.rule(slot).output) {
      if (!item || hot) return;
      const taken = this.takeOutput(menu, slot, item.count);
      if (taken) inv.updateSlot(invSlot, taken);
      return;
    }
    if (hot && (!this.mayPlace(menu, slot, hot) || hot.count > this.maxFor(menu, slot, hot))) return;
    if (menu.inventorySlotOf(slot) === invSlot) return;
    setSlot(menu, this.player, slot, cloneStack(this.serv, hot));
    inv.updateSlot(invSlot, cloneStack(this.serv, item));
  }

  private throwCursor(count: number): void {
    const carried = this.cursor!;
    const n = Math.min(count, carried.count);
    this.cursor = withCount(this.serv, carried, carried.count - n);
    dropItems(this.serv, this.player.world, this.player.position.offset(0, 1.3, 0), carried, n, THROWN_PICKUP_MS);
  }

  private throwFromSlot(menu: Menu, slot: number, wholeStack: boolean): void {
    const item = getSlot(menu, this.player, slot);
    if (!item) return;
    let thrown: Stack;
    if (menu.rule(slot).output) thrown = this.takeOutput(menu, slot, wholeStack ? item.count : 1);
    else {
      const n = wholeStack ? item.count : 1;
      thrown = withCount(this.serv, item, n);
      setSlot(menu, this.player, slot, withCount(this.serv, item, item.count - n));
    }
    if (thrown) dropItems(this.serv, this.player.world, this.player.position.offset(0, 1.3, 0), thrown, thrown.count, THROWN_PICKUP_MS);
  }

  /** Mode 5: start (0/4), add slot (1/5), end (2/6) of a left or right drag. */
  private dragClick(menu: Menu, slot: number, button: number): void {
    const stage = button & 3;
    const kind = button >> 2; // 0 left (split evenly), 1 right (one each)
    if (stage === 0) {
      this.drag = this.cursor && kind <= 1 ? { button: kind, slots: [] } : null;
      return;
    }
    const drag = this.drag;
    if (!drag || drag.button !== kind || !this.cursor) {
      this.drag = null;
      return;
    }
    if (stage === 1) {
      const cur = slot >= 0 && slot < menu.size ? getSlot(menu, this.player, slot) : null;
      if (slot >= 0 && slot < menu.size && !drag.slots.includes(slot) && this.mayPlace(menu, slot, this.cursor) && (!cur || sameKind(cur, this.cursor))) {
        if (drag.slots.length < this.cursor.count) drag.slots.push(slot);
      }
      return;
    }
    this.drag = null;
    const carried = this.cursor;
    if (drag.slots.length === 1 && kind === 0) {
      this.pickup(menu, drag.slots[0], 0);
      return;
    }
    const each = kind === 0 ? Math.floor(carried.count / Math.max(1, drag.slots.length)) : 1;
    let left = carried.count;
    for (const s of drag.slots) {
      const cur = getSlot(menu, this.player, s);
      const max = this.maxFor(menu, s, carried);
      const n = Math.min(each, left, max - (cur?.count ?? 0));
      if (n <= 0) continue;
      setSlot(menu, this.player, s, withCount(this.serv, carried, (cur?.count ?? 0) + n));
      left -= n;
    }
    this.cursor = withCount(this.serv, carried, left);
  }

  /** Mode 6: gather items like the cursor's from the window, non-full stacks first. */
  private collectToCursor(menu: Menu, _slot: number): void {
    const carried = this.cursor;
    if (!carried) return;
    let count = carried.count;
    for (const fullPass of [false, true]) {
      for (let s = 0; s < menu.size && count < carried.stackSize; s++) {
        const cur = getSlot(menu, this.player, s);
        if (!cur || !sameKind(cur, carried) || menu.rule(s).output) continue;
        if (!fullPass && cur.count >= cur.stackSize) continue;
        const n = Math.min(cur.count, carried.stackSize - count);
        setSlot(menu, this.player, s, withCount(this.serv, cur, cur.count - n));
        count += n;
      }
    }
    this.cursor = withCount(this.serv, carried, count);
  }
}

// ---------------------------------------------------------------- block states

/**
 * The state id of `blockName` with the given properties (others at their default). minecraft-data
 * lists a block's properties most significant first; booleans count true as 0, as in the game.
 */
export function blockStateId(serv: SquidServer, blockName: string, props: Record<string, unknown>): number {
  const def = serv.registry.blocksByName[blockName];
  if (!def) throw new Error(`unknown block ${blockName}`);
  const states = (def.states ?? []) as Array<{ name: string; type: string; values?: string[]; num_values: number }>;
  const defaults = serv.registry.blocksByStateId?.[def.defaultState] ? decodeState(serv, def.defaultState) : {};
  let data = 0;
  for (const state of states) {
    const v = state.name in props ? props[state.name] : defaults[state.name];
    let index = 0;
    if (state.type === 'bool') index = v === true || v === 'true' ? 0 : 1;
    else if (state.type === 'enum') index = Math.max(0, state.values!.indexOf(String(v)));
    else index = Math.max(0, Number(v) - Number(state.values?.[0] ?? 0)) || 0;
    data = data * state.num_values + index;
  }
  return def.minStateId + data;
}

/** The properties of a block state id. */
export function decodeState(serv: SquidServer, stateId: number): Record<string, unknown> {
  const def = serv.registry.blocksByStateId[stateId];
  if (!def) return {};
  const states = (def.states ?? []) as Array<{ name: string; type: string; values?: string[]; num_values: number }>;
  let data = stateId - def.minStateId;
  const out: Record<string, unknown> = {};
  for (let i = states.length - 1; i >= 0; i--) {
    const state = states[i];
    const index = data % state.num_values;
    data = Math.floor(data / state.num_values);
    out[state.name] = state.type === 'bool' ? index === 0 : state.type === 'enum' ? state.values![index] : Number(state.values?.[index] ?? index);
  }
  return out;
}

// ---------------------------------------------------------------- server hooks

/** Handler for right-clicking a block; return true when the interaction was handled. */
export type BlockUseHandler = (args: { block: any; player: SquidPlayer }) => boolean | Promise<boolean>;


/**
 * Register what right-clicking a block of type `blockName` does, in front of flying-squid's own block
 * interactions (its chest plugin only shows an empty window). Sneaking players with an item in hand
 * place blocks instead, as in vanilla.
 */
export function onBlockUse(serv: SquidServer, blockName: string, handler: BlockUseHandler): void {
  let fresh = false;
  const handlers = shared(serv, 'blockUse', () => {
    fresh = true;
    return new Map<number, BlockUseHandler>();
  });
  if (fresh) {
    whenReady(serv, () => {
      const original = serv.interactWithBlock as (data: any) => Promise<boolean>;
      serv.interactWithBlock = async (data: { block: any; player: SquidPlayer }) => {
        const handler = handlers.get(data.block?.type);
        const held = data.player.inventory?.slots[36 + data.player.heldItemSlot];
        if (handler && !(data.player.crouching && held)) {
          if (await handler(data)) return true;
        }
        return original(data);
      };
    });
  }
  const block = serv.registry.blocksByName[blockName];
  if (!block) throw new Error(`unknown block ${blockName}`);
  handlers.set(block.id, handler);
}

/** Run `fn` once every built-in flying-squid plugin has set the server up (at once if it already has). */
export function whenReady(serv: SquidServer, fn: () => void): void {
  if (serv.pluginsReady) fn();
  else serv.once('pluginsReady', fn);
}

/** Give every joining player a window manager (used by each plugin's `player` hook). */
export function installWindows(player: SquidPlayer, serv: SquidServer): PlayerWindows {
  return windowsOf(player, serv);
}

/** The window manager as a flying-squid plugin of its own: correct window-0 clicks even with no other plugin. */
const windowsPlugin: SquidPlugin = {
  player(player, serv) {
    installWindows(player, serv);
  },
};
export default windowsPlugin;
