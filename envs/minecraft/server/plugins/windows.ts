/**
 * Server-side container windows for flying-squid, as a world plugin and as the one module the
 * crafting, furnace, chest and other plugins import window support from.
 *
 * flying-squid 1.12 applies every `window_click` to the player inventory whatever window it names and
 * never answers with the 1.16 `transaction` packet, so clients wait and fail. The window code takes
 * over, one concept per file under ./windows/:
 * - stacks.ts: item stacks (compare, copy, give back, drop);
 * - menus.ts: what a window's slots are and what each accepts (the inventory menu, shared container
 *   slots);
 * - click-engine.ts: vanilla click rules (pickup, quick move, hotbar swap, throw, drag, double click);
 * - player-windows.ts: one player's window manager, which answers clicks and keeps the client in step;
 * - block-use.ts, block-states.ts: right-click routing to a block's plugin, block state ids;
 * - squid-server.ts: the parts of flying-squid this code relies on.
 * This file wires them: as a plugin it gives every joining player a window manager, so window-0
 * clicks are right even with no other plugin, and it re-exports what plugins use so they need one
 * import line. (It stays a file, not only a folder, because the world loads plugins by file name.)
 *
 * @example
 * // in a flying-squid plugin:
 * import { windowsOf, onBlockUse } from './windows.js';
 * onBlockUse(serv, 'chest', ({ player }) => { windowsOf(player).open(new ChestMenu(store), 'Chest'); return true; });
 */
import type { SquidPlugin } from '../plugin.js';
import { PlayerWindows, windowsOf } from './windows/player-windows.js';
import type { SquidPlayer, SquidServer } from './windows/squid-server.js';

export { blockStateId, decodeState } from './windows/block-states.js';
export { onBlockUse, type BlockUseHandler } from './windows/block-use.js';
export { ClickEngine, type Click, type ClickPacket } from './windows/click-engine.js';
export { InventoryMenu, Menu, SharedSlots, StoreMenu, armorSlotFor, type MenuViewer, type SlotRule } from './windows/menus.js';
export { PlayerWindows, windowsOf } from './windows/player-windows.js';
export { shared, whenReady, type SquidPlayer, type SquidServer } from './windows/squid-server.js';
export { cloneStack, dropItems, giveOrDrop, itemClass, sameKind, sameStack, vec3, withCount, type Stack } from './windows/stacks.js';
/** The flying-squid plugin shape shared by all world plugins (see ../plugin.ts). */
export type { SquidPlugin } from '../plugin.js';

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
