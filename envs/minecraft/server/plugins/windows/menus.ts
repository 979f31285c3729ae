/**
 * Menus: what each window's slots are and how each slot behaves, as the server sees them. A menu
 * numbers its slots like the client does (container slots first, then the player's 27 main and 9
 * hotbar slots) and routes the player part to `player.inventory`, so one click engine serves every
 * window. The inventory menu (window 0) is here; the crafting table, furnace and chest menus live in
 * their plugins and extend `Menu` or `StoreMenu`.
 *
 * A menu knows nothing of packets: whoever shows it (the player's window manager) implements
 * `MenuViewer`, which is all a menu may call back. That keeps menus testable without a server.
 *
 * @example
 * class HopperMenu extends StoreMenu {
 *   readonly typeName = 'minecraft:hopper';
 *   quickMoveTargets(slot: number) { return slot < 5 ? [[5, 41, true]] : [[0, 5, false]]; }
 * }
 * windowsOf(player).open(new HopperMenu(new SharedSlots(5)), 'Hopper');
 */
import type { Item } from 'prismarine-item';
import type { Vec3 } from 'vec3';
import type { SquidPlayer, SquidServer } from './squid-server.js';
import { giveOrDrop, type Stack } from './stacks.js';

/** Player inventory slot of window 0 where the 27 main slots start; the hotbar follows at 36. */
export const INV_MAIN = 9;
/** How many player-inventory slots (main + hotbar) every container window shows after its own. */
export const INV_SLOTS = 36;
/** The offhand slot of window 0. */
export const OFFHAND = 45;

/** How a slot of a menu behaves. */
export interface SlotRule {
  /** Items the client may put here (default: anything). */
  mayPlace?(item: Item): boolean;
  /** Largest stack allowed (default: the item's stack size). */
  maxStack?: number;
  /** A result slot: nothing may be placed; `takeAll` slots give the whole stack on any click. */
  output?: { takeAll: boolean };
}


/** What a menu may ask of the window manager showing it. */
export interface MenuViewer {
  /** A container slot changed outside this player's click (furnace tick, another viewer). */
  containerSlotChanged(menu: Menu, slot: number): void;
  /** Send a window property (furnace fuel and progress bars). */
  sendProperty(menu: Menu, property: number, value: number): void;
  /** Close the window from the server side (block broken, player too far). */
  close(): void;
}

/** A window's slots as the server sees them. Slots past `containerSize` are the player's inventory. */
export abstract class Menu {
  /** Window id on the wire; 0 for the player inventory. */
  id = 0;
  abstract readonly typeName: string;
  abstract readonly containerSize: number;
  /** Set while a window manager shows this menu. */
  viewer: MenuViewer | null = null;
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
export function getSlot(menu: Menu, player: SquidPlayer, slot: number): Stack {
  const inv = menu.inventorySlotOf(slot);
  return (inv >= 0 ? player.inventory.slots[inv] : menu.getContainer(slot)) ?? null;
}
/** Write a slot the same way; an emptied stack (count 0) is stored as null, as the client expects. */
export function setSlot(menu: Menu, player: SquidPlayer, slot: number, item: Stack): void {
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

