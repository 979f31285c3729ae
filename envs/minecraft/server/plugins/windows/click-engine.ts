/**
 * The click engine: vanilla Minecraft's window-click rules (1.12-1.16), applied to the server's own
 * slots. Given a menu and one `window_click` packet it moves items between the slots and the cursor
 * exactly as the game does: pickup (left takes all, right takes half), quick move (shift-click, which
 * on a crafting result keeps crafting while the result fits), number-key and offhand swaps, throwing,
 * left/right drag ("painting" several slots), and double-click collecting.
 *
 * It is the authority: what it computes is what the player has. It sends nothing; the window manager
 * (player-windows.ts) compares the result with what the client predicted and answers the packet. Menus
 * decide what each slot accepts (`Menu.rule`) and where a shift-click goes (`quickMoveTargets`), so
 * this file holds only the rules common to every window.
 *
 * @example
 * const clicks = new ClickEngine(player, serv);
 * clicks.apply(menu, { slot: 36, mouseButton: 0, mode: 0 }); // pick up the first hotbar stack
 * clicks.apply(menu, { slot: 1, mouseButton: 1, mode: 0 });  // put one of it in the crafting grid
 * clicks.cursor;                                             // what is left on the cursor
 */
import type { Item } from 'prismarine-item';
import { OFFHAND, getSlot, setSlot, type Menu } from './menus.js';
import type { SquidPlayer, SquidServer } from './squid-server.js';
import { cloneStack, dropItems, range, sameKind, withCount, type Stack } from './stacks.js';

/** A `window_click` packet as minecraft-protocol decodes it (1.12-1.16). */
export interface ClickPacket {
  windowId: number;
  slot: number;
  mouseButton: number;
  action: number;
  mode: number;
  /** The item the client says it clicked (notch form); quick moves on 1.16 send an empty one. */
  item: unknown;
}

/** The part of a click the rules look at. */
export type Click = Pick<ClickPacket, 'slot' | 'mouseButton' | 'mode'>;

/** Vanilla pickup delay of items a player throws: 40 ticks. */
const THROWN_PICKUP_MS = 2000;

/** One player's cursor and drag state, and the rules that change them together with a menu's slots. */
export class ClickEngine {
  /** What the server holds on the cursor (vanilla "carried" item). */
  cursor: Stack = null;
  /** The drag in progress (mode 5): which button and the slots added so far. */
  private drag: { button: number; slots: number[] } | null = null;

  constructor(
    readonly player: SquidPlayer,
    readonly serv: SquidServer,
  ) {}

  /** Vanilla click rules, applied to the server's slots. */
  apply(menu: Menu, p: Click): void {
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
