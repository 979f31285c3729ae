/**
 * The window click rules as a spec, without a server: a stand-in flying-squid player (an inventory of
 * 46 slots and a client that records packets) and the real 1.16.5 registry. The first part drives the
 * click engine directly (what each click mode does to slots and cursor); the second sends raw
 * `window_click` packets to a player's window manager and checks its answers, the part mineflayer
 * depends on. test/minecraft/windows.test.ts runs the same rules end to end with mineflayer.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Item } from 'prismarine-item';
import {
  ClickEngine,
  InventoryMenu,
  SharedSlots,
  StoreMenu,
  itemClass,
  vec3,
  windowsOf,
  withCount,
  type Click,
  type Menu,
  type SquidPlayer,
  type SquidServer,
  type Stack,
} from '../../envs/minecraft/server/plugins/windows.js';

const require = createRequire(import.meta.url);
const registry = require('prismarine-registry')('1.16.5');

/** flying-squid's inventory: a prismarine-windows window that emits `updateSlot` on every write. */
class FakeInventory extends EventEmitter {
  slots: Stack[] = new Array<Stack>(46).fill(null);
  updateSlot(slot: number, item: Stack): void {
    const old = this.slots[slot];
    if (item) item.slot = slot;
    this.slots[slot] = item;
    this.emit('updateSlot', slot, old, item);
  }
}

interface World {
  serv: SquidServer;
  player: SquidPlayer;
  inv: FakeInventory;
  /** Packets the server wrote to the client, in order. */
  sent: Array<{ name: string; params: any }>;
  /** Item entities spawned (one per item, as flying-squid does). */
  dropped: Array<{ itemId: number; pickupTime: number }>;
  errors: unknown[];
}

function world(): World {
  const sent: World['sent'] = [];
  const dropped: World['dropped'] = [];
  const errors: unknown[] = [];
  const serv = Object.assign(new EventEmitter(), {
    registry,
    players: [] as SquidPlayer[],
    tickCount: 0,
    supportFeature: () => false,
    spawnObject: (_type: number, _world: unknown, _pos: unknown, o: { itemId: number; pickupTime: number }) => dropped.push(o),
  }) as unknown as SquidServer;
  serv.on('error', (err: unknown) => errors.push(err));
  const client = Object.assign(new EventEmitter(), { write: (name: string, params: object) => sent.push({ name, params }) });
  const inv = new FakeInventory();
  const player = Object.assign(new EventEmitter(), {
    _client: client,
    inventory: inv,
    world: {},
    position: vec3(0, 64, 0),
    heldItemSlot: 0,
    gameMode: 0,
    username: 'alice',
    uuid: '00000000-0000-0000-0000-000000000001',
    id: 1,
    _writeOthersNearby: () => {},
  }) as unknown as SquidPlayer;
  serv.players.push(player);
  return { serv, player, inv, sent, dropped, errors };
}

/** A 27-slot chest window over shared slots, with vanilla's shift-click targets. */
class TestChest extends StoreMenu {
  readonly typeName = 'minecraft:generic_9x3';
  quickMoveTargets(slot: number): Array<[number, number, boolean]> {
    return slot < 27 ? [[27, 63, true]] : [[0, 27, false]];
  }
}

describe('window click engine (vanilla click rules, no server)', () => {
  let w: World;
  let clicks: ClickEngine;
  let inventory: InventoryMenu;
  const stack = (name: string, count: number): Item => new (itemClass(w.serv))(registry.itemsByName[name].id, count);
  const put = (slot: number, name: string, count: number) => w.inv.updateSlot(slot, stack(name, count));
  const at = (slot: number) => (w.inv.slots[slot] ? `${w.inv.slots[slot]!.count} ${w.inv.slots[slot]!.name}` : 'empty');
  const cursor = () => (clicks.cursor ? `${clicks.cursor.count} ${clicks.cursor.name}` : 'empty');
  const click = (menu: Menu, slot: number, mouseButton: number, mode: number) => {
    const p: Click = { slot, mouseButton, mode };
    clicks.apply(menu, p);
  };

  beforeEach(() => {
    w = world();
    clicks = new ClickEngine(w.player, w.serv);
    inventory = new InventoryMenu(w.player, w.serv);
  });

  it('left click picks up the whole stack, right click half (rounded up), and puts back one or all', () => {
    put(36, 'dirt', 5);
    click(inventory, 36, 1, 0);
    assert.equal(cursor(), '3 dirt');
    assert.equal(at(36), '2 dirt');
    click(inventory, 10, 1, 0); // right click on an empty slot puts one
    assert.equal(at(10), '1 dirt');
    assert.equal(cursor(), '2 dirt');
    click(inventory, 36, 0, 0); // left click on the same item puts all
    assert.equal(at(36), '4 dirt');
    assert.equal(cursor(), 'empty');
  });

  it('left click with a different item swaps cursor and slot', () => {
    put(36, 'dirt', 5);
    put(37, 'cobblestone', 3);
    click(inventory, 36, 0, 0);
    click(inventory, 37, 0, 0);
    assert.equal(at(37), '5 dirt');
    assert.equal(cursor(), '3 cobblestone');
  });

  it('armor slots take one piece of the right armor only', () => {
    put(36, 'dirt', 5);
    click(inventory, 36, 0, 0);
    click(inventory, 5, 0, 0); // helmet slot refuses dirt
    assert.equal(at(5), 'empty');
    assert.equal(cursor(), '5 dirt');
    click(inventory, 36, 0, 0);
    put(9, 'iron_helmet', 1);
    click(inventory, 9, 0, 1); // shift-click from the main rows puts armor on
    assert.equal(at(5), '1 iron_helmet');
    assert.equal(at(9), 'empty');
  });

  it('shift-click moves between hotbar and main rows in window 0, onto matching stacks first', () => {
    put(36, 'dirt', 10);
    put(20, 'dirt', 60);
    click(inventory, 36, 0, 1);
    assert.equal(at(20), '64 dirt', 'tops up the partial stack first');
    assert.equal(at(9), '6 dirt', 'then the first empty main slot');
    assert.equal(at(36), 'empty');
    click(inventory, 9, 0, 1);
    assert.equal(at(36), '6 dirt', 'main rows go to the hotbar');
  });

  it('shift-click into a chest fills its first slots; back out it fills the hotbar from the end', () => {
    const chest = new TestChest(new SharedSlots(27));
    put(36, 'cobblestone', 40); // chest window slot 27 + 27 = 54
    click(chest, 54, 0, 1);
    assert.equal(chest.store.get(0)?.count, 40);
    assert.equal(at(36), 'empty');
    click(chest, 0, 0, 1);
    assert.equal(chest.store.get(0), null);
    assert.equal(at(44), '40 cobblestone', 'reverse order: the last hotbar slot first');
  });

  it('shift-click on a crafting result keeps crafting while the result comes back and fits', () => {
    const Item = itemClass(w.serv);
    const planks = registry.itemsByName.oak_planks.id;
    // A one-recipe crafting grid: a log in slot 1 makes 4 planks in slot 0; taking them uses the log.
    inventory.crafting = {
      update: (m) => m.setContainer(0, m.getContainer(1)?.name === 'oak_log' ? new Item(planks, 4) : null),
      take: (m) => m.setContainer(1, withCount(w.serv, m.getContainer(1)!, m.getContainer(1)!.count - 1)),
    };
    put(1, 'oak_log', 3);
    inventory.afterClick();
    assert.equal(at(0), '4 oak_planks');
    click(inventory, 0, 0, 1);
    assert.equal(at(1), 'empty', 'all three logs used');
    assert.equal(at(0), 'empty');
    const planksTotal = w.inv.slots.reduce((n, it) => n + (it?.name === 'oak_planks' ? it.count : 0), 0);
    assert.equal(planksTotal, 12);
    assert.equal(at(44), '12 oak_planks', 'a result goes to the hotbar from the end, as vanilla');
  });

  it('a number key swaps the slot with that hotbar slot (or the offhand), not while the cursor is full', () => {
    put(10, 'dirt', 5);
    put(39, 'cobblestone', 2);
    click(inventory, 10, 3, 2); // key 4 is hotbar slot 39
    assert.equal(at(10), '2 cobblestone');
    assert.equal(at(39), '5 dirt');
    click(inventory, 10, 40, 2); // F: the offhand
    assert.equal(at(45), '2 cobblestone');
    assert.equal(at(10), 'empty');
    click(inventory, 39, 0, 0);
    click(inventory, 45, 0, 2); // refused: something is on the cursor
    assert.equal(at(36), 'empty');
    assert.equal(at(45), '2 cobblestone');
  });

  it('a left drag splits the cursor evenly over the painted slots, a right drag places one each', () => {
    put(36, 'dirt', 10);
    click(inventory, 36, 0, 0);
    click(inventory, -999, 0, 5); // start left drag
    for (const s of [9, 10, 11]) click(inventory, s, 1, 5);
    click(inventory, -999, 2, 5); // end
    assert.deepEqual([at(9), at(10), at(11)], ['3 dirt', '3 dirt', '3 dirt']);
    assert.equal(cursor(), '1 dirt');
    click(inventory, 20, 0, 0); // put the odd one down
    click(inventory, 9, 0, 0); // pick a 3 back up
    click(inventory, -999, 4, 5); // start right drag
    for (const s of [12, 13]) click(inventory, s, 5, 5);
    click(inventory, -999, 6, 5);
    assert.deepEqual([at(12), at(13)], ['1 dirt', '1 dirt']);
    assert.equal(cursor(), '1 dirt');
  });

  it('a drag interrupted by another click is dropped', () => {
    put(36, 'dirt', 10);
    click(inventory, 36, 0, 0);
    click(inventory, -999, 0, 5);
    click(inventory, 9, 1, 5);
    click(inventory, 20, 1, 0); // a plain click in between ends the drag (puts one)
    click(inventory, 10, 1, 5);
    click(inventory, -999, 2, 5);
    assert.equal(at(9), 'empty');
    assert.equal(at(10), 'empty');
    assert.equal(cursor(), '9 dirt');
  });

  it('a double click gathers matching items onto the cursor, partial stacks before full ones', () => {
    put(9, 'dirt', 64);
    put(10, 'dirt', 3);
    put(11, 'dirt', 2);
    put(36, 'dirt', 1);
    click(inventory, 36, 0, 0);
    click(inventory, 36, 0, 6);
    assert.equal(cursor(), '64 dirt');
    assert.equal(at(10), 'empty');
    assert.equal(at(11), 'empty');
    assert.equal(at(9), '6 dirt', 'the full stack gave only what was still missing');
  });

  it('throws one item or the whole stack as item entities with the 2 s thrower delay', () => {
    put(36, 'dirt', 5);
    click(inventory, 36, 0, 4);
    assert.equal(at(36), '4 dirt');
    click(inventory, 36, 1, 4);
    assert.equal(at(36), 'empty');
    assert.equal(w.dropped.length, 5);
    assert.ok(w.dropped.every((d) => d.itemId === registry.itemsByName.dirt.id && d.pickupTime === 2000));
    put(36, 'cobblestone', 3);
    click(inventory, 36, 0, 0);
    click(inventory, -999, 1, 0); // outside the window, right button: one
    assert.equal(cursor(), '2 cobblestone');
    assert.equal(w.dropped.length, 6);
  });
});

describe('window manager answers (raw window_click packets)', () => {
  let w: World;
  let action = 0;
  const Item = () => itemClass(w.serv);
  const notch = (name: string | null, count = 0) => Item().toNotch(name ? new (Item())(registry.itemsByName[name].id, count) : null);
  /** Send a click and return the server's `transaction` answer. */
  function send(windowId: number, slot: number, mouseButton: number, mode: number, item: unknown): { accepted: boolean } {
    const act = ++action;
    w.player._client.emit('window_click', { windowId, slot, mouseButton, action: act, mode, item });
    const tx = w.sent.find((p) => p.name === 'transaction' && p.params.action === act);
    assert.ok(tx, `a transaction answer for action ${act}`);
    return tx.params;
  }

  beforeEach(() => {
    w = world();
    windowsOf(w.player, w.serv);
    w.inv.updateSlot(36, new (Item())(registry.itemsByName.dirt.id, 5));
  });
  afterEach(() => assert.deepEqual(w.errors, []));

  it('accepts a 1.16 shift-click that carries an empty item (mineflayer >= 4.39 sends one)', () => {
    assert.equal(send(0, 36, 0, 1, notch(null)).accepted, true);
    assert.equal(w.inv.slots[9]?.count, 5);
    assert.equal(w.inv.slots[36], null);
  });

  it('accepts a shift-click naming the stack shown, as older clients send', () => {
    assert.equal(send(0, 36, 0, 1, notch('dirt', 5)).accepted, true);
    assert.equal(w.inv.slots[9]?.count, 5);
  });

  it('refuses untouched a click computed on a view older than the last slot update, and resends the window', () => {
    const before = w.sent.length;
    assert.equal(send(0, 36, 0, 0, notch('dirt', 3)).accepted, false);
    assert.equal(w.inv.slots[36]?.count, 5);
    assert.equal(windowsOf(w.player).cursor, null);
    assert.ok(w.sent.slice(before).some((p) => p.name === 'window_items' && p.params.windowId === 0));
  });

  it('refuses a click the rules refuse (dirt into the helmet slot) that the client expected to work', () => {
    assert.equal(send(0, 36, 0, 0, notch('dirt', 5)).accepted, true);
    assert.equal(windowsOf(w.player).cursor?.count, 5);
    // prismarine-windows lets anything into slot 5; the server does not.
    assert.equal(send(0, 5, 0, 0, notch(null)).accepted, false);
    assert.equal(w.inv.slots[5], null);
  });

  it('refuses a click for a window that is not open', () => {
    assert.equal(send(7, 0, 0, 0, notch(null)).accepted, false);
  });
});
