/**
 * The window manager of one player: which window is open, what the client believes each slot holds,
 * and the conversation with the client about it. flying-squid 1.12 applies every `window_click` to
 * the player inventory whatever window it names and never answers with the 1.16 `transaction` packet,
 * so clients wait and fail. This class takes over: the click engine (click-engine.ts) decides what a
 * click does, and this class answers every click and sends `set_slot` only where the client's own
 * prediction (prismarine-windows, the library mineflayer uses) would be wrong. Echoing slots the client
 * already predicted would race with its next click, which is why vanilla does not do it either.
 *
 * It also owns the rest of a player's item traffic that must agree with those views: item pickup,
 * equipment shown to others, closing windows whose block is gone, and returning items on disconnect.
 *
 * @example
 * // in a flying-squid plugin:
 * const windows = windowsOf(player, serv); // installs the window manager on first use
 * windows.open(new ChestMenu(store), 'Chest');
 */
import { createRequire } from 'node:module';
import { ClickEngine, type ClickPacket } from './click-engine.js';
import { INV_MAIN, INV_SLOTS, InventoryMenu, OFFHAND, getSlot, type Menu, type MenuViewer } from './menus.js';
import { shared, type SquidPlayer, type SquidServer } from './squid-server.js';
import { cloneStack, giveOrDrop, itemClass, range, sameKind, sameStack, toNotch, withCount, type Stack } from './stacks.js';

// prismarine-windows is CommonJS: load it the CommonJS way, as flying-squid does.
const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const windowsLoader: (registry: unknown) => any = require('prismarine-windows');

/** Stands for "the client's cursor is unknown", so the next cursor update is always sent. */
const UNKNOWN = { type: -1, count: -1 } as unknown as Stack;

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
export class PlayerWindows implements MenuViewer {
  readonly inventory: InventoryMenu;
  current: Menu | null = null;
  /** The vanilla click rules and the cursor they move items to and from. */
  readonly clicks: ClickEngine;
  /** What we believe the client shows, per window; kept in step with every packet we send. */
  private view0: Stack[] = new Array<Stack>(46).fill(null);
  private viewC: Stack[] = [];
  private viewCursor: Stack = null;
  /** True while a click is applied: changes are diffed against the client's prediction afterwards. */
  private quiet = false;
  private nextId = 0;
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
    this.clicks = new ClickEngine(player, serv);
    this.windowsLib = windowsLoader(serv.registry);
    if (player.inventory) this.install();
    else player.once('asap', () => this.install());
  }

  /** What the server holds on the cursor (vanilla "carried" item). */
  get cursor(): Stack {
    return this.clicks.cursor;
  }
  set cursor(item: Stack) {
    this.clicks.cursor = item;
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
      if (this.player.gameMode !== 3) this.clicks.apply(menu, p);
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

}
