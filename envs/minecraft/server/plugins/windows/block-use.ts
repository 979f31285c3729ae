/**
 * Block-use routing: what right-clicking a block does. flying-squid 1.12 routes every right-click
 * through `serv.interactWithBlock`, whose own chest handling only shows an empty window; this puts
 * one dispatcher in front of it that hands the click to the plugin registered for that block type
 * (crafting table, furnace, chest) and falls back to flying-squid for everything else.
 *
 * @example
 * onBlockUse(serv, 'crafting_table', ({ player }) => {
 *   windowsOf(player).open(new CraftingTableMenu(player, serv), 'Crafting');
 *   return true; // handled: flying-squid does not see this click
 * });
 */
import { shared, whenReady, type SquidPlayer, type SquidServer } from './squid-server.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
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
